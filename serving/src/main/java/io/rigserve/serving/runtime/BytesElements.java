package io.rigserve.serving.runtime;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The elements of a BYTES tensor in its flat form: each element is a 4-byte little-endian length
 * followed by that many bytes, as the Open Inference Protocol's binary data carries them.
 */
public final class BytesElements {

  private BytesElements() {}

  /**
   * Splits flat BYTES data into its elements.
   *
   * @throws IllegalArgumentException when the data is cut short, a length is negative, or the
   *     element count differs from {@code expectedCount}
   */
  public static byte[][] decode(byte[] data, long expectedCount) {
    if (expectedCount < 0 || expectedCount > data.length / 4) {
      throw new IllegalArgumentException(
          "BYTES data of " + data.length + " bytes cannot hold " + expectedCount + " elements");
    }
    byte[][] elements = new byte[(int) expectedCount][];
    ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < elements.length; i++) {
      if (in.remaining() < 4) {
        throw new IllegalArgumentException(
            "BYTES data ends before the length of element " + i + " of " + expectedCount);
      }
      int length = in.getInt();
      if (length < 0 || length > in.remaining()) {
        throw new IllegalArgumentException(
            "BYTES element " + i + " claims " + Integer.toUnsignedString(length)
                + " bytes but only " + in.remaining() + " remain");
      }
      elements[i] = new byte[length];
      in.get(elements[i]);
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(
          "BYTES data has " + in.remaining() + " bytes after its " + expectedCount + " elements");
    }
    return elements;
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
    byte[] prefix = new byte[4];
    ByteBuffer prefixView = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] e : elements) {
      prefixView.putInt(0, e.length);
      out.writeBytes(prefix);
      out.writeBytes(e);
    }
    return out.toByteArray();
  }
}
