package io.rigserve.sharding.tensor;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

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

  /**
   * Number of elements {@code shape} describes (1 for a scalar).
   *
   * @throws ArithmeticException when the count overflows a long
   */
  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /**
   * Why the data disagrees with the datatype and shape, or empty when they agree: a negative
   * dimension, an element count or byte size that overflows, a byte count other than elements ×
   * element size, or BYTES framing (4-byte little-endian length, then the bytes) that does not
   * hold exactly the elements the shape describes. Reads the data without copying it.
   */
  public Optional<String> inconsistency() {
    for (long d : shape) {
      if (d < 0) return Optional.of(label() + " has a negative dimension");
    }
    long count;
    try {
      count = elementCount();
      if (datatype.isFixedSize()) {
        long needed = Math.multiplyExact(count, datatype.elementSize());
        return needed == data.length
            ? Optional.empty()
            : Optional.of(label() + " has " + data.length + " bytes, its shape needs " + needed);
      }
    } catch (ArithmeticException e) {
      return Optional.of(label() + " describes more elements than a tensor can hold");
    }
    return BytesElements.problem(data, count).map(problem -> label() + ": " + problem);
  }

  /** Names the tensor in a refusal, short whatever the sender put in its name and shape. */
  private String label() {
    String shown = name.length() > 64 ? name.substring(0, 64) + "..." : name;
    String dims = shape.length > 8 ? "rank " + shape.length : Arrays.toString(shape);
    return "tensor '" + shown + "' " + datatype + dims + " (" + data.length + " bytes)";
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
