package io.rigserve.cluster.serialization;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;

/**
 * A Kryo input over one received message that refuses every declared length the message cannot
 * hold: another rig's bytes may declare any length, and Kryo allocates from the declaration.
 * A length of n elements of at least {@code size} bytes each must fit the bytes still unread and
 * the absolute cap, or reading stops with a {@link KryoException} before anything is allocated.
 */
final class BoundedInput extends Input {

  private final long maxDeclaredBytes;

  BoundedInput(byte[] bytes, long maxDeclaredBytes) {
    super(bytes);
    this.maxDeclaredBytes = maxDeclaredBytes;
  }

  /**
   * {@code length}, once {@code length} elements of {@code size} bytes fit what is left of the
   * message (an input over one byte array, as every received message is) and the cap.
   */
  static int checked(Input input, int length, int size) {
    if (length < 0) throw new KryoException("negative declared length " + length);
    long bytes = (long) length * size;
    long left = (long) input.limit() - input.position();
    long cap = input instanceof BoundedInput b ? b.maxDeclaredBytes : Long.MAX_VALUE;
    if (bytes > left || bytes > cap) {
      throw new KryoException("declared length " + length + " (" + bytes + " bytes) exceeds the "
          + Math.min(left, cap) + " bytes the message can hold");
    }
    return length;
  }

  @Override
  public String readString() {
    checkStringLength();
    return super.readString();
  }

  @Override
  public StringBuilder readStringBuilder() {
    checkStringLength();
    return super.readStringBuilder();
  }

  /**
   * A UTF-8 string declares a char count that Kryo allocates a char array for; each char takes at
   * least one byte. ASCII strings are read byte by byte and grow only with bytes actually present.
   */
  private void checkStringLength() {
    int start = position();
    if (readVarIntFlag()) {
      int count = readVarIntFlag(true);
      if (count > 1) checked(this, count - 1, 1);
    }
    setPosition(start);
  }

  @Override
  public byte[] readBytes(int length) {
    return super.readBytes(checked(this, length, 1));
  }

  @Override
  public short[] readShorts(int length) {
    return super.readShorts(checked(this, length, 2));
  }

  @Override
  public char[] readChars(int length) {
    return super.readChars(checked(this, length, 2));
  }

  @Override
  public int[] readInts(int length) {
    return super.readInts(checked(this, length, 4));
  }

  @Override
  public int[] readInts(int length, boolean optimizePositive) {
    return super.readInts(checked(this, length, 1), optimizePositive);
  }

  @Override
  public long[] readLongs(int length) {
    return super.readLongs(checked(this, length, 8));
  }

  @Override
  public long[] readLongs(int length, boolean optimizePositive) {
    return super.readLongs(checked(this, length, 1), optimizePositive);
  }

  @Override
  public float[] readFloats(int length) {
    return super.readFloats(checked(this, length, 4));
  }

  @Override
  public double[] readDoubles(int length) {
    return super.readDoubles(checked(this, length, 8));
  }

  @Override
  public boolean[] readBooleans(int length) {
    return super.readBooleans(checked(this, length, 1));
  }
}
