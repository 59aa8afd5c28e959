package io.rigserve.sharding.tensor;

import java.util.Optional;

/** Tensor element types, named as the Open Inference Protocol names them. */
public enum DataType {
  BOOL(1),
  UINT8(1),
  UINT16(2),
  UINT32(4),
  UINT64(8),
  INT8(1),
  INT16(2),
  INT32(4),
  INT64(8),
  FP16(2),
  FP32(4),
  FP64(8),
  /** Variable-length byte strings; on the wire each element is a 4-byte little-endian length and its bytes. */
  BYTES(-1),
  /** bfloat16: the upper half of an FP32. Last, so that the others keep the ordinals older rigs send. */
  BF16(2);

  private final int elementSize;

  DataType(int elementSize) {
    this.elementSize = elementSize;
  }

  /** Bytes per element, or -1 for BYTES whose elements vary in size. */
  public int elementSize() {
    return elementSize;
  }

  public boolean isFixedSize() {
    return elementSize > 0;
  }

  /** The protocol name ("FP32", ...) of this type. */
  public String protocolName() {
    return name();
  }

  public static Optional<DataType> fromProtocolName(String name) {
    if (name == null) return Optional.empty();
    try {
      return Optional.of(DataType.valueOf(name));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
