package io.rigserve.serving.onnx;

import io.rigserve.proto.onnx.TensorProto;
import io.rigserve.sharding.tensor.DataType;
import java.util.Optional;

/**
 * The one mapping between protocol datatypes and ONNX tensor element types as model files write
 * them ({@code elem_type}, {@code data_type}). ONNX Runtime's Java enum numbers element types
 * differently: the runtime maps those by name, not by these codes.
 */
public final class OnnxElementTypes {

  private OnnxElementTypes() {}

  /** The ONNX element type holding elements of this protocol datatype. */
  public static TensorProto.DataType toOnnx(DataType datatype) {
    return switch (datatype) {
      case BOOL -> TensorProto.DataType.BOOL;
      case UINT8 -> TensorProto.DataType.UINT8;
      case UINT16 -> TensorProto.DataType.UINT16;
      case UINT32 -> TensorProto.DataType.UINT32;
      case UINT64 -> TensorProto.DataType.UINT64;
      case INT8 -> TensorProto.DataType.INT8;
      case INT16 -> TensorProto.DataType.INT16;
      case INT32 -> TensorProto.DataType.INT32;
      case INT64 -> TensorProto.DataType.INT64;
      case FP16 -> TensorProto.DataType.FLOAT16;
      case BF16 -> TensorProto.DataType.BFLOAT16;
      case FP32 -> TensorProto.DataType.FLOAT;
      case FP64 -> TensorProto.DataType.DOUBLE;
      case BYTES -> TensorProto.DataType.STRING;
    };
  }

  /** The ONNX element type code ({@code elem_type} of a value, {@code data_type} of a tensor). */
  public static int toOnnxCode(DataType datatype) {
    return toOnnx(datatype).getNumber();
  }

  /**
   * The protocol datatype of an ONNX element type, or empty for types the protocol cannot carry
   * (complex, float8, ...).
   */
  public static Optional<DataType> fromOnnx(TensorProto.DataType elementType) {
    return switch (elementType) {
      case BOOL -> Optional.of(DataType.BOOL);
      case UINT8 -> Optional.of(DataType.UINT8);
      case UINT16 -> Optional.of(DataType.UINT16);
      case UINT32 -> Optional.of(DataType.UINT32);
      case UINT64 -> Optional.of(DataType.UINT64);
      case INT8 -> Optional.of(DataType.INT8);
      case INT16 -> Optional.of(DataType.INT16);
      case INT32 -> Optional.of(DataType.INT32);
      case INT64 -> Optional.of(DataType.INT64);
      case FLOAT16 -> Optional.of(DataType.FP16);
      case BFLOAT16 -> Optional.of(DataType.BF16);
      case FLOAT -> Optional.of(DataType.FP32);
      case DOUBLE -> Optional.of(DataType.FP64);
      case STRING -> Optional.of(DataType.BYTES);
      default -> Optional.empty();
    };
  }

  /** As {@link #fromOnnx(TensorProto.DataType)}, from the numeric code. */
  public static Optional<DataType> fromOnnxCode(int elementTypeCode) {
    TensorProto.DataType type = TensorProto.DataType.forNumber(elementTypeCode);
    return type == null ? Optional.empty() : fromOnnx(type);
  }
}
