package io.rigserve.serving.trust;

import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Float16;
import io.rigserve.sharding.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;

/**
 * Whether two replicas' outputs of one stage agree: the same tensors (names, datatypes, shapes),
 * integer, bool and BYTES elements exactly equal, float elements within the {@link Tolerance}.
 */
public final class OutputComparison {

  private OutputComparison() {}

  /** Empty when {@code a} and {@code b} agree, else the first difference, in words. */
  public static Optional<String> difference(Tensor[] a, Tensor[] b, Tolerance tolerance) {
    if (a.length != b.length) return Optional.of(a.length + " tensors against " + b.length);
    for (int i = 0; i < a.length; i++) {
      Optional<String> d = difference(a[i], b[i], tolerance);
      if (d.isPresent()) return d;
    }
    return Optional.empty();
  }

  static Optional<String> difference(Tensor a, Tensor b, Tolerance tolerance) {
    if (!a.name().equals(b.name())) return Optional.of("tensor " + a.name() + " against " + b.name());
    if (a.datatype() != b.datatype()) return Optional.of(a.name() + " is " + a.datatype() + " against " + b.datatype());
    if (!Arrays.equals(a.shape(), b.shape())) {
      return Optional.of(a.name() + " has shape " + Arrays.toString(a.shape()) + " against " + Arrays.toString(b.shape()));
    }
    if (a.data().length != b.data().length) return Optional.of(a.name() + " has " + a.data().length + " bytes against " + b.data().length);
    return switch (a.datatype()) {
      case FP16, FP32, FP64 -> floats(a, b, tolerance);
      default -> Arrays.equals(a.data(), b.data()) ? Optional.empty() : Optional.of(a.name() + " differs (exact " + a.datatype() + ")");
    };
  }

  private static Optional<String> floats(Tensor a, Tensor b, Tolerance tolerance) {
    ByteBuffer x = ByteBuffer.wrap(a.data()).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer y = ByteBuffer.wrap(b.data()).order(ByteOrder.LITTLE_ENDIAN);
    int size = a.datatype().elementSize();
    int count = a.data().length / size;
    for (int i = 0; i < count; i++) {
      double u = element(x, a.datatype(), i * size);
      double v = element(y, a.datatype(), i * size);
      if (!tolerance.close(u, v)) {
        return Optional.of(a.name() + "[" + i + "] is " + u + " against " + v + " (beyond " + tolerance.absolute()
            + " + " + tolerance.relative() + " relative)");
      }
    }
    return Optional.empty();
  }

  private static double element(ByteBuffer buffer, DataType type, int offset) {
    return switch (type) {
      case FP16 -> Float16.toFloat(buffer.getShort(offset));
      case FP32 -> buffer.getFloat(offset);
      case FP64 -> buffer.getDouble(offset);
      default -> throw new IllegalArgumentException(type + " is not a float type");
    };
  }
}
