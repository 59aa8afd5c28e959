package io.rigserve.sharding.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BFloat16Test {

  @Test
  void valuesABfloat16HoldsConvertExactlyBothWays() {
    float[] exact = {0f, -0f, 1f, -2f, 0.5f, 1024f, Float.intBitsToFloat(0x7f7f0000), Float.intBitsToFloat(0x00010000), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    for (float f : exact) {
      short bits = BFloat16.fromFloat(f);
      assertEquals(Float.floatToRawIntBits(f) >>> 16, bits & 0xffff, Float.toString(f));
      assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits(BFloat16.toFloat(bits)), Float.toString(f));
    }
  }

  @Test
  void otherFloatsRoundToNearestEvenAndNanStaysNan() {
    // 1 + 2^-8 lies halfway between 1 (0x3f80, even) and 1 + 2^-7 (0x3f81): ties go to even.
    assertEquals(0x3f80, BFloat16.fromFloat(1f + 0x1p-8f) & 0xffff);
    // 1 + 3 * 2^-8 lies halfway between 0x3f81 (odd) and 0x3f82 (even).
    assertEquals(0x3f82, BFloat16.fromFloat(1f + 3 * 0x1p-8f) & 0xffff);
    assertEquals(0x3f81, BFloat16.fromFloat(1f + 0x1p-8f + 0x1p-20f) & 0xffff);
    assertEquals(0x7f80, BFloat16.fromFloat(Float.MAX_VALUE) & 0xffff, "past bfloat16's largest value: infinity");
    assertTrue(Float.isNaN(BFloat16.toFloat(BFloat16.fromFloat(Float.intBitsToFloat(0x7f800001)))));
  }
}
