package io.rigserve.serving.runtime;

import io.rigserve.sharding.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A dynamic input dimension the model names ("batch"): the same name means the same size. */
record NamedDimension(String name, String input, int axis) {

  /** The named dynamic dimensions of these inputs, given each input's dimension names. */
  static List<NamedDimension> of(List<TensorSpec> inputs, Map<String, String[]> dimensionNames) {
    List<NamedDimension> dims = new ArrayList<>();
    for (TensorSpec input : inputs) {
      String[] names = dimensionNames.get(input.name());
      long[] shape = input.shape();
      if (names == null || names.length != shape.length) {
        continue;
      }
      for (int axis = 0; axis < shape.length; axis++) {
        if (shape[axis] < 0 && names[axis] != null && !names[axis].isEmpty()) {
          dims.add(new NamedDimension(names[axis], input.name(), axis));
        }
      }
    }
    return List.copyOf(dims);
  }
}
