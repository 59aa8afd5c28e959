package io.rigserve.sharding.tensor;

import io.rigserve.sharding.tensor.DataType;
import java.util.Arrays;
import java.util.Objects;

/**
 * A model input or output as the protocol describes it: name, datatype and shape, with -1 for a
 * dimension the model leaves open (batch size, sequence length, ...).
 */
public record TensorSpec(String name, DataType datatype, long[] shape) {

  public TensorSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(datatype, "datatype");
    shape = Objects.requireNonNull(shape, "shape").clone();
    for (long d : shape) {
      if (d < -1) {
        throw new IllegalArgumentException("dimension " + d + " of " + name + " is below -1");
      }
    }
  }

  /** A copy: the spec stays immutable. */
  @Override
  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  /** True when a tensor of this shape fits: same rank, and every fixed dimension equal. */
  public boolean accepts(long[] concreteShape) {
    if (concreteShape.length != shape.length) {
      return false;
    }
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] >= 0 && shape[i] != concreteShape[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec s
        && name.equals(s.name)
        && datatype == s.datatype
        && Arrays.equals(shape, s.shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, datatype, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return name + ":" + datatype + Arrays.toString(shape);
  }
}
