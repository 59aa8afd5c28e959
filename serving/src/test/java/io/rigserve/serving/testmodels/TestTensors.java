package io.rigserve.serving.testmodels;

import io.rigserve.sharding.tensor.BytesElements;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds protocol tensors from Java values and reads them back, little-endian as on the wire. */
public final class TestTensors {

  private TestTensors() {}

  public static Tensor fp32(String name, long[] shape, float... values) {
    ByteBuffer b = le(values.length * 4);
    b.asFloatBuffer().put(values);
    return new Tensor(name, DataType.FP32, shape, b.array());
  }

  public static Tensor fp64(String name, long[] shape, double... values) {
    ByteBuffer b = le(values.length * 8);
    b.asDoubleBuffer().put(values);
    return new Tensor(name, DataType.FP64, shape, b.array());
  }

  public static Tensor int32(String name, long[] shape, int... values) {
    ByteBuffer b = le(values.length * 4);
    b.asIntBuffer().put(values);
    return new Tensor(name, DataType.INT32, shape, b.array());
  }

  public static Tensor int64(String name, long[] shape, long... values) {
    ByteBuffer b = le(values.length * 8);
    b.asLongBuffer().put(values);
    return new Tensor(name, DataType.INT64, shape, b.array());
  }

  public static Tensor bytes(String name, long[] shape, String... values) {
    byte[][] elements = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      elements[i] = values[i].getBytes(StandardCharsets.UTF_8);
    }
    return new Tensor(name, DataType.BYTES, shape, BytesElements.encode(elements));
  }

  public static float[] fp32Values(Tensor t) {
    float[] v = new float[t.data().length / 4];
    ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }

  public static double[] fp64Values(Tensor t) {
    double[] v = new double[t.data().length / 8];
    ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(v);
    return v;
  }

  public static long[] int64Values(Tensor t) {
    long[] v = new long[t.data().length / 8];
    ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(v);
    return v;
  }

  public static String[] bytesValues(Tensor t) {
    byte[][] elements = BytesElements.decode(t.data(), t.elementCount());
    String[] v = new String[elements.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = new String(elements[i], StandardCharsets.UTF_8);
    }
    return v;
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
