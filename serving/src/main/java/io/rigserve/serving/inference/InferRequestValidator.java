package io.rigserve.serving.inference;

import io.rigserve.cluster.http.ClientText;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.sharding.tensor.BytesElements;
import io.rigserve.sharding.tensor.TensorSpec;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a request against the model's metadata before anything runs: every input present once,
 * with the model's datatype, a shape that fits (-1 matches any size) and exactly the bytes that
 * shape needs; requested outputs must exist. The message says what was expected.
 */
public final class InferRequestValidator {

  private InferRequestValidator() {}

  public static void validate(InferRequest request, List<TensorSpec> inputs, List<TensorSpec> outputs) {
    Map<String, TensorSpec> expected = new HashMap<>();
    for (TensorSpec s : inputs) expected.put(s.name(), s);
    Set<String> seen = new HashSet<>();
    for (Tensor t : request.inputs()) {
      TensorSpec spec = expected.get(t.name());
      if (spec == null) {
        throw new InvalidInput("unexpected input '" + ClientText.echo(t.name()) + "' for model '" + ClientText.echo(request.model())
            + "': its inputs are " + names(inputs));
      }
      if (!seen.add(t.name())) {
        throw new InvalidInput("input '" + ClientText.echo(t.name()) + "' is given more than once");
      }
      checkTensor(t, spec);
    }
    for (TensorSpec s : inputs) {
      if (!seen.contains(s.name())) {
        throw new InvalidInput("missing input '" + s.name() + "' (" + s.datatype() + " " + Arrays.toString(s.shape())
            + ") for model '" + ClientText.echo(request.model()) + "'");
      }
    }
    Set<String> outputNames = new HashSet<>();
    for (TensorSpec s : outputs) outputNames.add(s.name());
    Set<String> requested = new HashSet<>();
    for (String o : request.outputs()) {
      if (!outputNames.contains(o)) {
        throw new InvalidInput("unknown output '" + ClientText.echo(o) + "' requested: the model's outputs are " + names(outputs));
      }
      if (!requested.add(o)) {
        throw new InvalidInput("output '" + ClientText.echo(o) + "' is requested more than once");
      }
    }
  }

  private static void checkTensor(Tensor t, TensorSpec spec) {
    String name = ClientText.echo(t.name());
    if (t.datatype() != spec.datatype()) {
      throw new InvalidInput("input '" + name + "' has datatype " + t.datatype() + ", the model expects " + spec.datatype());
    }
    long[] shape = t.shape();
    long[] want = spec.shape();
    if (shape.length != want.length) {
      throw new InvalidInput("input '" + name + "' has shape " + Arrays.toString(shape)
          + " of rank " + shape.length + ", the model expects rank " + want.length + " " + Arrays.toString(want));
    }
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0 || (want[i] >= 0 && shape[i] != want[i])) {
        throw new InvalidInput("input '" + name + "' has shape " + Arrays.toString(shape)
            + ", the model expects " + Arrays.toString(want) + " (-1: any size)");
      }
    }
    long count = elementCount(t.name(), shape, Long.MAX_VALUE);
    if (t.datatype().isFixedSize()) {
      long needed = bytes(t.name(), count, t.datatype());
      if (t.data().length != needed) {
        throw new InvalidInput("input '" + name + "' has " + t.data().length + " bytes of data, its shape "
            + Arrays.toString(shape) + " of " + t.datatype() + " needs " + needed);
      }
    } else {
      long elements = countByteElements(t);
      if (elements != count) {
        throw new InvalidInput("input '" + name + "' has " + elements + " elements, its shape "
            + Arrays.toString(shape) + " needs " + count);
      }
    }
  }

  /** Counts the length-prefixed elements of a BYTES tensor, refusing a malformed encoding. */
  static long countByteElements(Tensor t) {
    try {
      return BytesElements.count(t.data());
    } catch (IllegalArgumentException e) {
      throw new InvalidInput("input '" + ClientText.echo(t.name()) + "': " + e.getMessage());
    }
  }

  /**
   * The elements a client's shape describes, the one count both front ends use: a shape whose
   * product overflows, or exceeds {@code maxElements} (what the bytes received can hold), is the
   * client's error, not ours. Dimensions are not negative (the front ends refuse those first).
   */
  public static long elementCount(String tensor, long[] shape, long maxElements) {
    try {
      long count = Tensor.elementCount(shape);
      if (count <= maxElements) return count;
    } catch (ArithmeticException overflow) {
      // falls through to the same refusal
    }
    throw new InvalidInput("input '" + ClientText.echo(tensor) + "' has shape " + ClientText.echo(Arrays.toString(shape))
        + ", more elements than the request can hold");
  }

  private static long bytes(String tensor, long count, DataType type) {
    try {
      return Math.multiplyExact(count, type.elementSize());
    } catch (ArithmeticException e) {
      throw new InvalidInput("tensor '" + ClientText.echo(tensor) + "' has " + count + " elements: more than any request can hold");
    }
  }

  private static List<String> names(List<TensorSpec> specs) {
    return specs.stream().map(TensorSpec::name).toList();
  }

  /** The datatype a protocol name denotes, or a clear error. */
  public static DataType datatype(String tensor, String name) {
    return DataType.fromProtocolName(name)
        .orElseThrow(() -> new InvalidInput("tensor '" + ClientText.echo(tensor) + "' has unknown datatype '" + ClientText.echo(name)
            + "': expected one of " + Arrays.toString(DataType.values())));
  }
}
