package io.rigserve.serving.partition;

import com.google.protobuf.ByteString;
import io.rigserve.proto.onnx.AttributeProto;
import io.rigserve.proto.onnx.NodeProto;
import io.rigserve.proto.onnx.SparseTensorProto;
import io.rigserve.proto.onnx.StringStringEntryProto;
import io.rigserve.proto.onnx.TensorProto;
import io.rigserve.proto.onnx.TensorShapeProto;
import io.rigserve.proto.onnx.TypeProto;
import java.util.OptionalLong;

/**
 * Sizes of tensors in memory: the weights a stage holds and the activations that cross a cut.
 * Sizes are what a runtime holds, not how the file stores them (FLOAT16 kept in int32_data
 * weighs 2 bytes per element).
 */
final class TensorBytes {

  private TensorBytes() {}

  /** Bits per element of an ONNX element type; -1 for strings and for types this code does not know. */
  static int elementBits(int elementType) {
    return switch (elementType) {
      case 1, 6, 12 -> 32; // FLOAT, INT32, UINT32
      case 2, 3, 9 -> 8; // UINT8, INT8, BOOL
      case 4, 5, 10, 16 -> 16; // UINT16, INT16, FLOAT16, BFLOAT16
      case 7, 11, 13, 14 -> 64; // INT64, DOUBLE, UINT64, COMPLEX64
      case 15 -> 128; // COMPLEX128
      case 17, 18, 19, 20, 24 -> 8; // the FLOAT8 variants
      case 21, 22, 23 -> 4; // UINT4, INT4, FLOAT4E2M1
      case 25, 26 -> 2; // UINT2, INT2
      default -> -1;
    };
  }

  /** Bytes of a constant tensor's data, wherever it is stored (raw, typed fields, external file). */
  static long of(TensorProto tensor) {
    if (tensor.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      for (StringStringEntryProto entry : tensor.getExternalDataList()) {
        if (entry.getKey().equals("length")) {
          try {
            return Long.parseLong(entry.getValue().trim());
          } catch (NumberFormatException e) {
            break; // fall back on the declared shape
          }
        }
      }
    }
    int bits = elementBits(tensor.getDataType());
    if (bits > 0) {
      return bytes(elementCount(tensor), bits);
    }
    if (tensor.getDataType() == TensorProto.DataType.STRING.getNumber()) {
      long total = 0;
      for (ByteString s : tensor.getStringDataList()) {
        total += s.size();
      }
      return total;
    }
    return tensor.getRawData().size();
  }

  static long of(SparseTensorProto sparse) {
    return of(sparse.getValues()) + of(sparse.getIndices());
  }

  /** Bytes of the value a Constant node produces, from whichever value attribute it carries. */
  static long ofConstant(NodeProto constant) {
    long total = 0;
    for (AttributeProto a : constant.getAttributeList()) {
      total +=
          switch (a.getName()) {
            case "value" -> of(a.getT());
            case "sparse_value" -> of(a.getSparseTensor());
            case "value_float" -> 4;
            case "value_int" -> 8;
            case "value_floats" -> 4L * a.getFloatsCount();
            case "value_ints" -> 8L * a.getIntsCount();
            case "value_string" -> a.getS().size();
            case "value_strings" -> a.getStringsList().stream().mapToLong(ByteString::size).sum();
            default -> 0;
          };
    }
    return total;
  }

  /**
   * Estimated bytes of one sample of a value of this type: symbolic and unknown dimensions count
   * as 1 (a batch of one, a sequence of one). Empty when the type is not a tensor of a known
   * element type and rank.
   */
  static OptionalLong estimate(TypeProto type) {
    if (!type.hasTensorType() || !type.getTensorType().hasShape()) {
      return OptionalLong.empty();
    }
    int bits = elementBits(type.getTensorType().getElemType());
    if (bits <= 0) {
      return OptionalLong.empty();
    }
    long count = 1;
    for (TensorShapeProto.Dimension d : type.getTensorType().getShape().getDimList()) {
      if (d.hasDimValue() && d.getDimValue() >= 0) {
        count = saturatingMultiply(count, d.getDimValue());
      }
    }
    return OptionalLong.of(bytes(count, bits));
  }

  /** As {@link #estimate(TypeProto)}, from a shape with -1 for dynamic dimensions. */
  static long estimate(int elementType, long[] shape) {
    long count = 1;
    for (long d : shape) {
      if (d >= 0) {
        count = saturatingMultiply(count, d);
      }
    }
    return bytes(count, Math.max(elementBits(elementType), 8));
  }

  private static long elementCount(TensorProto tensor) {
    long count = 1;
    for (long d : tensor.getDimsList()) {
      count = saturatingMultiply(count, Math.max(d, 0));
    }
    return count;
  }

  private static long bytes(long elements, int bits) {
    if (elements > Long.MAX_VALUE / bits) {
      return Long.MAX_VALUE;
    }
    return (elements * bits + 7) / 8;
  }

  private static long saturatingMultiply(long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
