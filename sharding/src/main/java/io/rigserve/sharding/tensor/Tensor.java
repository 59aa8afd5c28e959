package io.rigserve.sharding.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named tensor as it travels between rigs: datatype, shape and the row-major elements as
 * little-endian bytes (BYTES elements as 4-byte length prefix + content). Immutable by
 * convention: the arrays are not copied, so nobody writes to them after construction.
 */
public record Tensor(String name, DataType datatype, long[] shape, byte[] data) {

  public Tensor {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(datatype, "datatype");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(data, "data");
  }

  /** Number of elements the shape describes (1 for a scalar). */
  public long elementCount() {
    return elementCount(shape);
  }

  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  public Tensor renamed(String newName) {
    return new Tensor(newName, datatype, shape, data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t
        && name.equals(t.name)
        && datatype == t.datatype
        && Arrays.equals(shape, t.shape)
        && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, datatype, Arrays.hashCode(shape), Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return name + ":" + datatype + Arrays.toString(shape) + "(" + data.length + " bytes)";
  }
}
