package io.rigserve.serving.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import io.rigserve.sharding.replica.PartitionRuntime.RuntimeFailure;
import io.rigserve.sharding.tensor.BytesElements;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Moves tensors between the protocol's little-endian bytes and ONNX Runtime values. Inputs go
 * through one direct buffer in native order, which ONNX Runtime reads in place (no nested Java
 * arrays, no second copy). Callers have validated names, datatypes, shapes and sizes.
 */
final class OrtTensors {

  private static final boolean NATIVE_LITTLE_ENDIAN =
      ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

  private OrtTensors() {}

  static OnnxTensor toOrt(OrtEnvironment env, Tensor tensor) throws OrtException {
    if (tensor.datatype() == DataType.BYTES) {
      // The Java API only builds string tensors from Java Strings.
      return OnnxTensor.createTensor(env, strings(tensor), tensor.shape());
    }
    byte[] data = tensor.data();
    ByteBuffer buffer;
    try {
      buffer = ByteBuffer.allocateDirect(data.length).order(ByteOrder.nativeOrder());
    } catch (OutOfMemoryError e) {
      // Only the direct memory limit was hit (-XX:MaxDirectMemorySize): refuse this run, keep the rig.
      throw new RuntimeFailure(
          "no direct memory left for input '" + tensor.name() + "' of " + data.length + " bytes", false, e);
    }
    buffer.put(data);
    buffer.rewind();
    if (!NATIVE_LITTLE_ENDIAN) {
      swapElements(buffer, tensor.datatype().elementSize());
    }
    return OnnxTensor.createTensor(env, buffer, tensor.shape(), javaType(tensor.datatype()));
  }

  /**
   * The protocol tensor of an ONNX Runtime output. {@code datatype} is the one the model
   * declares; unsigned types come back from the Java API under their signed names, same bits.
   */
  static Tensor fromOrt(String name, DataType datatype, OnnxTensor value) throws OrtException {
    TensorInfo info = value.getInfo();
    long[] shape = info.getShape();
    long count = info.getNumElements();
    if (datatype == DataType.BYTES) {
      List<String> strings = new ArrayList<>((int) count);
      flattenStrings(value.getValue(), strings);
      byte[][] elements = new byte[strings.size()][];
      for (int i = 0; i < elements.length; i++) {
        elements[i] = strings.get(i).getBytes(StandardCharsets.UTF_8);
      }
      return new Tensor(name, datatype, shape, BytesElements.encode(elements));
    }
    long expectedBytes = count * datatype.elementSize();
    if (count == 0) {
      return new Tensor(name, datatype, shape, new byte[0]);
    }
    ByteBuffer buffer = value.getByteBuffer(); // a heap copy in native order
    byte[] data;
    if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.array().length == buffer.remaining()) {
      data = buffer.array();
    } else {
      data = new byte[buffer.remaining()];
      buffer.get(data);
    }
    if (data.length != expectedBytes) {
      throw new IllegalStateException(
          "output " + name + " holds " + data.length + " bytes, expected " + expectedBytes);
    }
    if (!NATIVE_LITTLE_ENDIAN) {
      swapElements(ByteBuffer.wrap(data), datatype.elementSize());
    }
    return new Tensor(name, datatype, shape, data);
  }

  /**
   * The Java type ONNX Runtime is told the buffer holds. The Java API has no unsigned 16/32/64
   * bit types: those inputs are passed under the signed type of the same width, and the model
   * is loaded with a Cast in front of them (see {@link WideUnsignedInputs}).
   */
  static OnnxJavaType javaType(DataType datatype) {
    return switch (datatype) {
      case BOOL -> OnnxJavaType.BOOL;
      case UINT8 -> OnnxJavaType.UINT8;
      case INT8 -> OnnxJavaType.INT8;
      case UINT16, INT16 -> OnnxJavaType.INT16;
      case UINT32, INT32 -> OnnxJavaType.INT32;
      case UINT64, INT64 -> OnnxJavaType.INT64;
      case FP16 -> OnnxJavaType.FLOAT16;
      case BF16 -> OnnxJavaType.BFLOAT16;
      case FP32 -> OnnxJavaType.FLOAT;
      case FP64 -> OnnxJavaType.DOUBLE;
      case BYTES -> OnnxJavaType.STRING;
    };
  }

  /**
   * The protocol datatype of an ORT element type, or empty when the protocol has none. Matched
   * by name: the Java enum's {@code value} numbers are not the ONNX element type codes.
   */
  static Optional<DataType> datatypeOf(TensorInfo.OnnxTensorType type) {
    return switch (type) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> Optional.of(DataType.BOOL);
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> Optional.of(DataType.UINT8);
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> Optional.of(DataType.UINT16);
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> Optional.of(DataType.UINT32);
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> Optional.of(DataType.UINT64);
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> Optional.of(DataType.INT8);
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> Optional.of(DataType.INT16);
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> Optional.of(DataType.INT32);
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> Optional.of(DataType.INT64);
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> Optional.of(DataType.FP16);
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 -> Optional.of(DataType.BF16);
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> Optional.of(DataType.FP32);
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> Optional.of(DataType.FP64);
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> Optional.of(DataType.BYTES);
      default -> Optional.empty();
    };
  }

  /**
   * BYTES elements as the Strings ONNX Runtime's Java API wants; refuses what is not UTF-8. The
   * API hands strings to the engine in JNI's modified UTF-8, so NUL and characters beyond the
   * Basic Multilingual Plane (emoji) reach operators as other bytes than the client's; they
   * still come back out unchanged.
   */
  private static String[] strings(Tensor tensor) {
    byte[][] elements;
    try {
      elements = BytesElements.decode(tensor.data(), tensor.elementCount());
    } catch (IllegalArgumentException e) {
      throw new RuntimeFailure("input '" + tensor.name() + "': " + e.getMessage(), true, e);
    }
    CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    String[] strings = new String[elements.length];
    for (int i = 0; i < elements.length; i++) {
      try {
        CharBuffer chars = utf8.decode(ByteBuffer.wrap(elements[i]));
        strings[i] = chars.toString();
      } catch (CharacterCodingException e) {
        // ONNX Runtime's Java API carries strings as text: arbitrary binary would be altered.
        throw new RuntimeFailure(
            "input '" + tensor.name() + "': BYTES element " + i
                + " is not valid UTF-8, which ONNX string tensors need here",
            true,
            e);
      }
    }
    return strings;
  }

  // String outputs come back as a String (scalar), a String[] or nested Object[] by rank.
  private static void flattenStrings(Object value, List<String> out) {
    if (value instanceof String s) {
      out.add(s);
    } else if (value instanceof Object[] array) {
      for (Object element : array) {
        flattenStrings(element, out);
      }
    } else {
      throw new IllegalStateException("unexpected string tensor content: " + value);
    }
  }

  private static void swapElements(ByteBuffer buffer, int elementSize) {
    for (int start = 0; start + elementSize <= buffer.limit(); start += elementSize) {
      for (int i = 0, j = elementSize - 1; i < j; i++, j--) {
        byte tmp = buffer.get(start + i);
        buffer.put(start + i, buffer.get(start + j));
        buffer.put(start + j, tmp);
      }
    }
  }
}
