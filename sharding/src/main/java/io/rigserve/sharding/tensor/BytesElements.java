package io.rigserve.sharding.tensor;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one codec of BYTES tensor data: each element is a 4-byte little-endian length followed by
 * that many bytes, as the Open Inference Protocol's binary data carries them. Every reader walks
 * the data here, so a cut-short or lying length is refused the same way everywhere, before
 * anything is allocated for it.
 */
public final class BytesElements {

  private BytesElements() {}

  /** Sees one element: {@code length} bytes of {@code data} from {@code offset}. */
  @FunctionalInterface
  public interface Visitor {
    void element(byte[] data, int offset, int length);
  }

  /**
   * Why {@code data} is not exactly {@code expectedCount} well-framed elements, or empty when it is.
   * Reads without copying.
   */
  public static Optional<String> problem(byte[] data, long expectedCount) {
    return walk(data, expectedCount, (d, offset, length) -> { });
  }

  /**
   * Visits each element of well-framed {@code data} in order.
   *
   * @throws IllegalArgumentException when the framing is broken
   */
  public static void forEach(byte[] data, Visitor visitor) {
    walk(data, -1, visitor).ifPresent(problem -> {
      throw new IllegalArgumentException(problem);
    });
  }

  /**
   * The number of elements in {@code data}.
   *
   * @throws IllegalArgumentException when the framing is broken
   */
  public static long count(byte[] data) {
    long[] n = {0};
    forEach(data, (d, offset, length) -> n[0]++);
    return n[0];
  }

  /**
   * Splits {@code data} into exactly {@code expectedCount} elements.
   *
   * @throws IllegalArgumentException when the framing is broken or holds another count
   */
  public static byte[][] decode(byte[] data, long expectedCount) {
    if (expectedCount < 0 || expectedCount > data.length / 4) {
      throw new IllegalArgumentException(
          "BYTES data of " + data.length + " bytes cannot hold " + expectedCount + " elements");
    }
    List<byte[]> elements = new ArrayList<>((int) expectedCount);
    walk(data, expectedCount, (d, offset, length) -> {
      byte[] e = new byte[length];
      System.arraycopy(d, offset, e, 0, length);
      elements.add(e);
    }).ifPresent(problem -> {
      throw new IllegalArgumentException(problem);
    });
    return elements.toArray(new byte[0][]);
  }

  /** Joins elements into flat BYTES data. */
  public static byte[] encode(byte[][] elements) {
    long size = 0;
    for (byte[] e : elements) {
      size += 4L + e.length;
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("BYTES tensor of " + size + " bytes is too large");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) size);
    for (byte[] e : elements) {
      append(out, e);
    }
    return out.toByteArray();
  }

  /** Appends one element, length first, to flat BYTES data being written. */
  public static void append(ByteArrayOutputStream out, byte[] element) {
    out.write(element.length);
    out.write(element.length >>> 8);
    out.write(element.length >>> 16);
    out.write(element.length >>> 24);
    out.writeBytes(element);
  }

  /** Walks the framing; {@code expectedCount} -1: as many elements as there are. */
  private static Optional<String> walk(byte[] data, long expectedCount, Visitor visitor) {
    ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    String of = expectedCount < 0 ? "" : " of " + expectedCount;
    for (long i = 0; expectedCount < 0 ? in.hasRemaining() : i < expectedCount; i++) {
      if (in.remaining() < 4) return Optional.of("BYTES data ends before the length of element " + i + of);
      int length = in.getInt();
      if (length < 0 || length > in.remaining()) {
        return Optional.of("BYTES element " + i + " declares " + Integer.toUnsignedString(length)
            + " bytes, " + in.remaining() + " remain");
      }
      visitor.element(data, in.position(), length);
      in.position(in.position() + length);
    }
    return in.hasRemaining()
        ? Optional.of("BYTES data has " + in.remaining() + " bytes after its " + expectedCount + " elements")
        : Optional.empty();
  }
}
