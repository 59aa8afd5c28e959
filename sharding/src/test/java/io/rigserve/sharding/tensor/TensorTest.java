package io.rigserve.sharding.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TensorTest {

  @Test
  void aTensorWhoseBytesMatchItsShapeIsConsistent() {
    assertEquals(Optional.empty(), new Tensor("x", DataType.FP32, new long[] {2, 3}, new byte[24]).inconsistency());
    assertEquals(Optional.empty(), new Tensor("s", DataType.FP64, new long[0], new byte[8]).inconsistency());
    assertEquals(Optional.empty(), new Tensor("e", DataType.INT8, new long[] {0, 5}, new byte[0]).inconsistency());
    assertEquals(Optional.empty(), bytes(new long[] {2}, "ab", "").inconsistency());
  }

  @Test
  void aByteCountOtherThanElementsTimesElementSizeIsRefused() {
    String why = new Tensor("x", DataType.FP32, new long[] {2, 3}, new byte[23]).inconsistency().orElseThrow();
    assertTrue(why.contains("has 23 bytes, its shape needs 24"), why);
  }

  @Test
  void negativeAndOverflowingDimensionsAreRefusedWithoutThrowing() {
    assertTrue(new Tensor("x", DataType.FP32, new long[] {-1, -4}, new byte[16]).inconsistency().orElseThrow()
        .contains("negative dimension"));
    assertTrue(new Tensor("x", DataType.INT8, new long[] {1L << 32, 1L << 32}, new byte[0]).inconsistency().orElseThrow()
        .contains("more elements"));
    // elements fit a long, their bytes do not
    assertTrue(new Tensor("x", DataType.FP64, new long[] {1L << 61}, new byte[0]).inconsistency().orElseThrow()
        .contains("more elements"));
    assertThrows(ArithmeticException.class, () -> Tensor.elementCount(new long[] {1L << 40, 1L << 40}));
  }

  @Test
  void bytesFramingMustHoldExactlyTheElementsOfTheShape() {
    assertTrue(bytes(new long[] {3}, "ab", "c").inconsistency().orElseThrow().contains("ends before the length of element 2"));
    assertTrue(bytes(new long[] {1}, "ab", "c").inconsistency().orElseThrow().contains("bytes after its 1 elements"));
    ByteBuffer lying = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putInt(1 << 30).put((byte) 1).put((byte) 2);
    assertTrue(new Tensor("b", DataType.BYTES, new long[] {1}, lying.array()).inconsistency().orElseThrow()
        .contains("declares 1073741824 bytes, 2 remain"));
    ByteBuffer negative = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(-1);
    assertTrue(new Tensor("b", DataType.BYTES, new long[] {1}, negative.array()).inconsistency().isPresent());
    // A huge declared count over a few bytes stops at the bytes, not the count.
    assertTrue(new Tensor("b", DataType.BYTES, new long[] {1L << 40}, new byte[8]).inconsistency().isPresent());
  }

  @Test
  void aRefusalNeverEchoesAHugeName() {
    String name = "n".repeat(100_000);
    String why = new Tensor(name, DataType.FP32, new long[] {1}, new byte[1]).inconsistency().orElseThrow();
    assertTrue(why.length() < 300, why.length() + " chars");
  }

  private static Tensor bytes(long[] shape, String... elements) {
    ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
    for (String e : elements) {
      b.putInt(e.length()).put(e.getBytes());
    }
    byte[] data = new byte[b.position()];
    b.flip().get(data);
    return new Tensor("b", DataType.BYTES, shape, data);
  }
}
