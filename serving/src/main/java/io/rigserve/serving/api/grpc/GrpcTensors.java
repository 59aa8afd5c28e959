package io.rigserve.serving.api.grpc;

import com.google.protobuf.ByteString;
import io.rigserve.cluster.http.ClientText;
import io.rigserve.proto.inference.InferTensorContents;
import io.rigserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.rigserve.proto.inference.ModelInferResponse.InferOutputTensor;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.inference.InferRequestValidator;
import io.rigserve.sharding.tensor.BytesElements;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Tensors in the protocol's gRPC form: typed {@code contents} (one repeated field per family of
 * datatypes) or {@code raw_*_contents} (little-endian bytes). FP16 has no typed field: raw only.
 */
final class GrpcTensors {

  private GrpcTensors() {}

  /**
   * @param maxElements the most elements the request's bytes can carry (each takes at least one
   *     byte on the wire, raw or typed)
   */
  static Tensor decode(InferInputTensor input, ByteString raw, long maxElements) {
    if (input.getName().isEmpty()) {
      throw new InvalidInput("an input has no name");
    }
    String name = ClientText.echo(input.getName());
    DataType type = InferRequestValidator.datatype(input.getName(), input.getDatatype());
    long[] shape = input.getShapeList().stream().mapToLong(Long::longValue).toArray();
    for (long d : shape) {
      if (d < 0) throw new InvalidInput("input '" + name + "' has a negative dimension in shape " + ClientText.echo(Arrays.toString(shape)));
    }
    long count = InferRequestValidator.elementCount(input.getName(), shape, maxElements);
    if (raw != null) {
      if (input.hasContents()) {
        throw new InvalidInput("input '" + name + "' has both contents and raw_input_contents: use one");
      }
      return new Tensor(input.getName(), type, shape, raw.toByteArray());
    }
    if (!input.hasContents()) {
      throw new InvalidInput("input '" + name + "' has no contents and no raw_input_contents");
    }
    return new Tensor(input.getName(), type, shape, typed(name, type, input.getContents(), count));
  }

  private static byte[] typed(String name, DataType type, InferTensorContents c, long count) {
    int n = switch (type) {
      case BOOL -> c.getBoolContentsCount();
      case INT8, INT16, INT32 -> c.getIntContentsCount();
      case INT64 -> c.getInt64ContentsCount();
      case UINT8, UINT16, UINT32 -> c.getUintContentsCount();
      case UINT64 -> c.getUint64ContentsCount();
      case FP32 -> c.getFp32ContentsCount();
      case FP64 -> c.getFp64ContentsCount();
      case BYTES -> c.getBytesContentsCount();
      case FP16, BF16 -> throw new InvalidInput("input '" + name + "' is " + type + ": " + type
          + " travels only as raw_input_contents");
    };
    if (n != count) {
      throw new InvalidInput("input '" + name + "' has " + n + " elements in contents, its shape needs " + count);
    }
    if (type == DataType.BYTES) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (ByteString s : c.getBytesContentsList()) {
        BytesElements.append(out, s.toByteArray());
      }
      return out.toByteArray();
    }
    ByteBuffer b = ByteBuffer.allocate(n * type.elementSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      switch (type) {
        case BOOL -> b.put((byte) (c.getBoolContents(i) ? 1 : 0));
        case INT8 -> b.put((byte) ranged(name, type, c.getIntContents(i), Byte.MIN_VALUE, Byte.MAX_VALUE));
        case INT16 -> b.putShort((short) ranged(name, type, c.getIntContents(i), Short.MIN_VALUE, Short.MAX_VALUE));
        case INT32 -> b.putInt(c.getIntContents(i));
        case INT64 -> b.putLong(c.getInt64Contents(i));
        case UINT8 -> b.put((byte) ranged(name, type, Integer.toUnsignedLong(c.getUintContents(i)), 0, 0xff));
        case UINT16 -> b.putShort((short) ranged(name, type, Integer.toUnsignedLong(c.getUintContents(i)), 0, 0xffff));
        case UINT32 -> b.putInt(c.getUintContents(i));
        case UINT64 -> b.putLong(c.getUint64Contents(i));
        case FP32 -> b.putFloat(c.getFp32Contents(i));
        case FP64 -> b.putDouble(c.getFp64Contents(i));
        default -> throw new IllegalStateException(type.name());
      }
    }
    return b.array();
  }

  private static long ranged(String name, DataType type, long v, long min, long max) {
    if (v < min || v > max) {
      throw new InvalidInput("input '" + name + "' has value " + v + " that is not a valid " + type);
    }
    return v;
  }

  /** Output metadata; the data goes to {@code raw} when given, else into typed contents. */
  static InferOutputTensor encode(Tensor t, List<ByteString> raw) {
    InferOutputTensor.Builder out = InferOutputTensor.newBuilder()
        .setName(t.name())
        .setDatatype(t.datatype().protocolName());
    for (long d : t.shape()) out.addShape(d);
    if (raw != null) {
      raw.add(ByteString.copyFrom(t.data()));
      return out.build();
    }
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    ByteBuffer b = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
    switch (t.datatype()) {
      case BOOL -> { while (b.hasRemaining()) c.addBoolContents(b.get() != 0); }
      case INT8 -> { while (b.hasRemaining()) c.addIntContents(b.get()); }
      case INT16 -> { while (b.hasRemaining()) c.addIntContents(b.getShort()); }
      case INT32 -> { while (b.hasRemaining()) c.addIntContents(b.getInt()); }
      case INT64 -> { while (b.hasRemaining()) c.addInt64Contents(b.getLong()); }
      case UINT8 -> { while (b.hasRemaining()) c.addUintContents(b.get() & 0xff); }
      case UINT16 -> { while (b.hasRemaining()) c.addUintContents(b.getShort() & 0xffff); }
      case UINT32 -> { while (b.hasRemaining()) c.addUintContents(b.getInt()); }
      case UINT64 -> { while (b.hasRemaining()) c.addUint64Contents(b.getLong()); }
      case FP32 -> { while (b.hasRemaining()) c.addFp32Contents(b.getFloat()); }
      case FP64 -> { while (b.hasRemaining()) c.addFp64Contents(b.getDouble()); }
      case BYTES -> BytesElements.forEach(t.data(), (data, offset, length) ->
          c.addBytesContents(ByteString.copyFrom(data, offset, length)));
      case FP16, BF16 -> throw new IllegalStateException(t.datatype() + " outputs are always sent raw");
    }
    return out.setContents(c).build();
  }
}
