package io.rigserve.serving.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.serving.testmodels.TestTensors;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Float16;
import io.rigserve.sharding.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OutputComparisonTest {

  private static final Tolerance TOLERANCE = new Tolerance(1e-4, 1e-3);
  private static final long[] THREE = {3};

  @Test
  void floatsWithinAbsolutePlusRelativeBoundsAgreeAndBeyondThemDiffer() {
    Tensor a = TestTensors.fp32("y", THREE, 1000f, 0f, -2f);
    Tensor rounding = TestTensors.fp32("y", THREE, 1000.9f, 0.00009f, -2.002f);
    Tensor wrong = TestTensors.fp32("y", THREE, 1000f, 0f, -2.01f);

    assertEquals(Optional.empty(), agree(a, rounding));
    Optional<String> d = agree(a, wrong);
    assertTrue(d.isPresent() && d.get().contains("y[2]"), d.toString());
  }

  @Test
  void integersBoolsAndBytesMustBeEqualExactly() {
    assertTrue(agree(TestTensors.int64("l", THREE, 1, 2, 3), TestTensors.int64("l", THREE, 1, 2, 4)).isPresent());
    assertEquals(Optional.empty(), agree(TestTensors.int64("l", THREE, 1, 2, 3), TestTensors.int64("l", THREE, 1, 2, 3)));
    Tensor yes = new Tensor("b", DataType.BOOL, new long[] {2}, new byte[] {1, 0});
    Tensor no = new Tensor("b", DataType.BOOL, new long[] {2}, new byte[] {1, 1});
    assertTrue(agree(yes, no).isPresent());
    assertTrue(agree(TestTensors.bytes("s", new long[] {1}, "cat"), TestTensors.bytes("s", new long[] {1}, "cau")).isPresent());
    assertEquals(Optional.empty(), agree(TestTensors.bytes("s", new long[] {1}, "cat"), TestTensors.bytes("s", new long[] {1}, "cat")));
  }

  @Test
  void nanAgreesOnlyWithNanAndInfinityOnlyWithItself() {
    assertEquals(Optional.empty(), agree(TestTensors.fp32("y", new long[] {1}, Float.NaN), TestTensors.fp32("y", new long[] {1}, Float.NaN)));
    assertTrue(agree(TestTensors.fp32("y", new long[] {1}, Float.NaN), TestTensors.fp32("y", new long[] {1}, 0f)).isPresent());
    assertTrue(agree(TestTensors.fp32("y", new long[] {1}, Float.POSITIVE_INFINITY), TestTensors.fp32("y", new long[] {1}, Float.MAX_VALUE)).isPresent());
  }

  @Test
  void halfAndDoubleFloatsAreComparedByValue() {
    Tensor h1 = half(1.0f);
    Tensor h2 = half(1.0005f);
    assertEquals(Optional.empty(), agree(h1, h2));
    assertTrue(agree(half(1.0f), half(1.5f)).isPresent());
    assertTrue(agree(TestTensors.fp64("d", new long[] {1}, 1.0), TestTensors.fp64("d", new long[] {1}, 1.01)).isPresent());
  }

  @Test
  void anotherShapeNameOrDatatypeIsADifference() {
    Tensor a = TestTensors.fp32("y", THREE, 1f, 2f, 3f);
    assertTrue(agree(a, TestTensors.fp32("y", new long[] {1, 3}, 1f, 2f, 3f)).isPresent());
    assertTrue(agree(a, TestTensors.fp32("z", THREE, 1f, 2f, 3f)).isPresent());
    assertTrue(agree(a, TestTensors.int32("y", THREE, 1, 2, 3)).isPresent());
    assertTrue(OutputComparison.difference(new Tensor[] {a}, new Tensor[] {a, a}, TOLERANCE).isPresent());
  }

  private static Optional<String> agree(Tensor a, Tensor b) {
    return OutputComparison.difference(new Tensor[] {a}, new Tensor[] {b}, TOLERANCE);
  }

  private static Tensor half(float value) {
    ByteBuffer b = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(Float16.fromFloat(value));
    return new Tensor("h", DataType.FP16, new long[] {1}, b.array());
  }
}
