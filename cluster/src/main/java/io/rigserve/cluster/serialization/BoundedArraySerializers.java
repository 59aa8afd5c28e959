package io.rigserve.cluster.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.DefaultArraySerializers.ObjectArraySerializer;
import java.lang.reflect.Array;
import java.util.function.BiFunction;

/**
 * Array serializers that check a declared length against the bytes left in the message before
 * allocating (Kryo's defaults allocate first). Primitive elements are written at their fixed
 * width, so {@code length × element size} is exactly what the message must still hold.
 */
final class BoundedArraySerializers {

  private BoundedArraySerializers() {}

  /** Registers the bounded serializers as defaults: call before registering any array class. */
  static void addTo(Kryo kryo) {
    kryo.addDefaultSerializer(byte[].class,
        new PrimitiveArray<byte[]>(1, (in, n) -> in.readBytes(n), (out, a) -> out.writeBytes(a, 0, a.length)));
    kryo.addDefaultSerializer(short[].class,
        new PrimitiveArray<short[]>(2, (in, n) -> in.readShorts(n), (out, a) -> out.writeShorts(a, 0, a.length)));
    kryo.addDefaultSerializer(char[].class,
        new PrimitiveArray<char[]>(2, (in, n) -> in.readChars(n), (out, a) -> out.writeChars(a, 0, a.length)));
    kryo.addDefaultSerializer(int[].class,
        new PrimitiveArray<int[]>(4, (in, n) -> in.readInts(n), (out, a) -> out.writeInts(a, 0, a.length)));
    kryo.addDefaultSerializer(long[].class,
        new PrimitiveArray<long[]>(8, (in, n) -> in.readLongs(n), (out, a) -> out.writeLongs(a, 0, a.length)));
    kryo.addDefaultSerializer(float[].class,
        new PrimitiveArray<float[]>(4, (in, n) -> in.readFloats(n), (out, a) -> out.writeFloats(a, 0, a.length)));
    kryo.addDefaultSerializer(double[].class,
        new PrimitiveArray<double[]>(8, (in, n) -> in.readDoubles(n), (out, a) -> out.writeDoubles(a, 0, a.length)));
    kryo.addDefaultSerializer(boolean[].class,
        new PrimitiveArray<boolean[]>(1, (in, n) -> in.readBooleans(n), (out, a) -> out.writeBooleans(a, 0, a.length)));
    kryo.addDefaultSerializer(Object[].class, ObjectArrays.class);
  }

  private interface Writer<A> {
    void write(Output output, A array);
  }

  /** A primitive array: length + 1 (0 is null), then the elements at fixed width. */
  static final class PrimitiveArray<A> extends Serializer<A> {
    private final int elementSize;
    private final BiFunction<Input, Integer, A> reader;
    private final Writer<A> writer;

    PrimitiveArray(int elementSize, BiFunction<Input, Integer, A> reader, Writer<A> writer) {
      super(true);
      this.elementSize = elementSize;
      this.reader = reader;
      this.writer = writer;
    }

    @Override
    public void write(Kryo kryo, Output output, A array) {
      if (array == null) {
        output.writeVarInt(0, true);
        return;
      }
      output.writeVarInt(Array.getLength(array) + 1, true);
      writer.write(output, array);
    }

    @Override
    public A read(Kryo kryo, Input input, Class<? extends A> type) {
      int length = input.readVarInt(true);
      if (length == 0) return null;
      return reader.apply(input, BoundedInput.checked(input, length - 1, elementSize));
    }

    @Override
    public A copy(Kryo kryo, A original) {
      return original;
    }
  }

  /** Object arrays in Kryo's format; each element (or its null mark) takes at least one byte. */
  public static final class ObjectArrays extends ObjectArraySerializer {
    public ObjectArrays(Kryo kryo, Class<?> type) {
      super(kryo, type);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Object[] read(Kryo kryo, Input input, Class type) {
      int start = input.position();
      int length = input.readVarInt(true);
      if (length > 0) BoundedInput.checked(input, length - 1, 1);
      input.setPosition(start);
      return super.read(kryo, input, type);
    }
  }
}
