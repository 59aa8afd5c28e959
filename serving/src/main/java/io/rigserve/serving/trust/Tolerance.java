package io.rigserve.serving.trust;

/**
 * How far two float outputs of the same stage may differ and still agree: {@code |a - b| <=
 * absolute + relative * max(|a|, |b|)}. Rigs on other hardware (other SIMD widths, other thread
 * splits of a reduction) round differently, so floats are never compared bit for bit.
 */
public record Tolerance(double absolute, double relative) {

  public boolean close(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b)) return Double.isNaN(a) && Double.isNaN(b);
    if (Double.isInfinite(a) || Double.isInfinite(b)) return a == b;
    return Math.abs(a - b) <= absolute + relative * Math.max(Math.abs(a), Math.abs(b));
  }
}
