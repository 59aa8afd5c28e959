package io.rigserve.serving.api.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rigserve.cluster.http.ClientText;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.error.PayloadTooLarge;
import io.rigserve.serving.inference.InferRequestValidator;
import io.rigserve.sharding.tensor.BFloat16;
import io.rigserve.sharding.tensor.BytesElements;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Float16;
import io.rigserve.sharding.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Tensors in the protocol's JSON form: {@code {"name","datatype","shape","data"}} with data flat
 * or nested row-major, BOOL as true/false, BYTES as strings. Decoded straight into little-endian
 * bytes, with the element count and each value's type and range checked.
 */
final class JsonTensors {

  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private JsonTensors() {}

  static Tensor decode(JsonNode node, long maxElements) {
    if (!node.isObject()) {
      throw new InvalidInput("each input must be a JSON object with name, shape, datatype and data");
    }
    String name = text(node, "name", "input");
    DataType type = InferRequestValidator.datatype(name, text(node, "datatype", "input '" + ClientText.echo(name) + "'"));
    long[] shape = shape(name, node.get("shape"));
    long count = InferRequestValidator.elementCount(name, shape, maxElements);
    JsonNode data = node.get("data");
    if (data == null || data.isNull()) {
      throw new InvalidInput("input '" + ClientText.echo(name) + "' has no data");
    }
    checkLayout(name, shape, data, count);
    byte[] bytes = type == DataType.BYTES ? byteStrings(name, data, count) : fixed(name, type, data, count);
    return new Tensor(name, type, shape, bytes);
  }

  static ObjectNode encode(Tensor t) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("name", t.name());
    node.put("datatype", t.datatype().protocolName());
    ArrayNode shape = node.putArray("shape");
    for (long d : t.shape()) shape.add(d);
    ArrayNode data = node.putArray("data");
    ByteBuffer b = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
    switch (t.datatype()) {
      case BOOL -> { while (b.hasRemaining()) data.add(b.get() != 0); }
      case UINT8 -> { while (b.hasRemaining()) data.add(b.get() & 0xff); }
      case UINT16 -> { while (b.hasRemaining()) data.add(b.getShort() & 0xffff); }
      case UINT32 -> { while (b.hasRemaining()) data.add(b.getInt() & 0xffffffffL); }
      case UINT64 -> { while (b.hasRemaining()) data.add(new BigInteger(Long.toUnsignedString(b.getLong()))); }
      case INT8 -> { while (b.hasRemaining()) data.add(b.get()); }
      case INT16 -> { while (b.hasRemaining()) data.add(b.getShort()); }
      case INT32 -> { while (b.hasRemaining()) data.add(b.getInt()); }
      case INT64 -> { while (b.hasRemaining()) data.add(b.getLong()); }
      case FP16 -> { while (b.hasRemaining()) data.add(Float16.toFloat(b.getShort())); }
      case BF16 -> { while (b.hasRemaining()) data.add(BFloat16.toFloat(b.getShort())); }
      case FP32 -> { while (b.hasRemaining()) data.add(b.getFloat()); }
      case FP64 -> { while (b.hasRemaining()) data.add(b.getDouble()); }
      case BYTES -> BytesElements.forEach(t.data(), (bytes, offset, length) ->
          data.add(new String(bytes, offset, length, StandardCharsets.UTF_8)));
    }
    return node;
  }

  static String text(JsonNode node, String field, String what) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw new InvalidInput(what + " needs a string \"" + field + "\"");
    }
    return v.asText();
  }

  static long[] shape(String name, JsonNode node) {
    if (node == null || !node.isArray()) {
      throw new InvalidInput("input '" + ClientText.echo(name) + "' needs a \"shape\" array of non-negative integers");
    }
    long[] shape = new long[node.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = node.get(i);
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
        throw new InvalidInput("input '" + ClientText.echo(name) + "' has an invalid shape " + ClientText.echo(node.toString())
            + ": dimensions are non-negative integers");
      }
      shape[i] = d.asLong();
    }
    return shape;
  }

  /**
   * The data's layout, checked before anything is allocated for it: a bare value for one element,
   * a flat array of exactly {@code count} values, or arrays nested exactly as the shape. So the
   * count that sizes the tensor is what arrived, never only what the shape declares.
   */
  private static void checkLayout(String name, long[] shape, JsonNode data, long count) {
    if (!data.isArray()) {
      if (count != 1) throw wrongCount(name, 1, count);
      return;
    }
    boolean nested = shape.length > 1 && !data.isEmpty() && data.get(0).isArray();
    if (nested) {
      checkNested(name, shape, 0, data);
      return;
    }
    if (data.size() != count) throw wrongCount(name, data.size(), count);
    for (JsonNode element : data) {
      if (element.isArray() || element.isObject()) {
        throw new InvalidInput("input '" + ClientText.echo(name) + "' mixes flat and nested data: give a flat array of "
            + count + " values or arrays nested as its shape " + Arrays.toString(shape));
      }
    }
  }

  private static void checkNested(String name, long[] shape, int depth, JsonNode node) {
    if (depth == shape.length) {
      if (node.isArray() || node.isObject()) throw notNestedAsShape(name, shape);
      return;
    }
    if (!node.isArray() || node.size() != shape[depth]) throw notNestedAsShape(name, shape);
    for (JsonNode child : node) checkNested(name, shape, depth + 1, child);
  }

  private static InvalidInput notNestedAsShape(String name, long[] shape) {
    return new InvalidInput("input '" + ClientText.echo(name) + "' has nested data that does not match its shape "
        + Arrays.toString(shape) + ": nest arrays exactly as the shape, or send one flat array");
  }

  private static byte[] fixed(String name, DataType type, JsonNode data, long count) {
    long bytes = count * type.elementSize();
    if (bytes > Integer.MAX_VALUE - 8) {
      throw new PayloadTooLarge("input '" + ClientText.echo(name) + "' needs " + bytes + " bytes, more than one tensor can hold");
    }
    ByteBuffer out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    long written = write(name, type, data, out, count);
    if (written != count) {
      throw wrongCount(name, written, count);
    }
    return out.array();
  }

  /** Writes nested or flat data depth-first; returns the number of elements written. */
  private static long write(String name, DataType type, JsonNode data, ByteBuffer out, long count) {
    if (!data.isArray()) {
      if (out.position() / type.elementSize() >= count) throw wrongCount(name, count + 1, count);
      put(name, type, data, out);
      return 1;
    }
    long n = 0;
    for (JsonNode element : data) {
      n += write(name, type, element, out, count);
    }
    return n;
  }

  private static void put(String name, DataType type, JsonNode v, ByteBuffer out) {
    switch (type) {
      case BOOL -> {
        if (!v.isBoolean()) throw badValue(name, type, v);
        out.put((byte) (v.asBoolean() ? 1 : 0));
      }
      case UINT8 -> out.put((byte) integral(name, type, v, 0, 0xff));
      case UINT16 -> out.putShort((short) integral(name, type, v, 0, 0xffff));
      case UINT32 -> out.putInt((int) integral(name, type, v, 0, 0xffffffffL));
      case UINT64 -> {
        if (!v.isIntegralNumber() || v.bigIntegerValue().signum() < 0 || v.bigIntegerValue().compareTo(UINT64_MAX) > 0) {
          throw badValue(name, type, v);
        }
        out.putLong(v.bigIntegerValue().longValue());
      }
      case INT8 -> out.put((byte) integral(name, type, v, Byte.MIN_VALUE, Byte.MAX_VALUE));
      case INT16 -> out.putShort((short) integral(name, type, v, Short.MIN_VALUE, Short.MAX_VALUE));
      case INT32 -> out.putInt((int) integral(name, type, v, Integer.MIN_VALUE, Integer.MAX_VALUE));
      case INT64 -> out.putLong(integral(name, type, v, Long.MIN_VALUE, Long.MAX_VALUE));
      case FP16 -> out.putShort(Float16.fromFloat((float) number(name, type, v)));
      case BF16 -> out.putShort(BFloat16.fromFloat((float) number(name, type, v)));
      case FP32 -> out.putFloat((float) number(name, type, v));
      case FP64 -> out.putDouble(number(name, type, v));
      case BYTES -> throw new IllegalStateException("BYTES are not fixed-size");
    }
  }

  private static long integral(String name, DataType type, JsonNode v, long min, long max) {
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
      throw badValue(name, type, v);
    }
    return v.asLong();
  }

  private static double number(String name, DataType type, JsonNode v) {
    if (!v.isNumber()) throw badValue(name, type, v);
    return v.asDouble();
  }

  private static byte[] byteStrings(String name, JsonNode data, long count) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long n = writeStrings(name, data, out, count);
    if (n != count) throw wrongCount(name, n, count);
    return out.toByteArray();
  }

  private static long writeStrings(String name, JsonNode data, ByteArrayOutputStream out, long count) {
    if (!data.isArray()) {
      if (!data.isTextual()) throw badValue(name, DataType.BYTES, data);
      byte[] s = data.asText().getBytes(StandardCharsets.UTF_8);
      BytesElements.append(out, s);
      return 1;
    }
    long n = 0;
    for (JsonNode element : data) {
      n += writeStrings(name, element, out, count);
      if (n > count) throw wrongCount(name, n, count);
    }
    return n;
  }

  private static InvalidInput wrongCount(String name, long got, long want) {
    return new InvalidInput("input '" + ClientText.echo(name) + "' has " + (got > want ? "more than " + want : got)
        + " data elements, its shape needs " + want);
  }

  private static InvalidInput badValue(String name, DataType type, JsonNode v) {
    return new InvalidInput("input '" + ClientText.echo(name) + "' has value " + ClientText.echo(v.toString())
        + " that is not a valid " + type);
  }
}
