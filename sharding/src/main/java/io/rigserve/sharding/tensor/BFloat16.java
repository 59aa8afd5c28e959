package io.rigserve.sharding.tensor;

/** bfloat16 conversions: the upper 16 bits of an FP32, rounded to nearest even; NaN stays NaN. */
public final class BFloat16 {

  private BFloat16() {}

  public static float toFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  public static short fromFloat(float value) {
    int f = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) ((f >>> 16) | 0x40);
    }
    int rounded = f + 0x7fff + ((f >>> 16) & 1);
    return (short) (rounded >>> 16);
  }
}
