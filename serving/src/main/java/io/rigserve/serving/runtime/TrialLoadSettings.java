package io.rigserve.serving.runtime;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Bounds of the child process that loads an upload before the rig trusts it, read once from
 * {@code rigserve.runtime.trial-load}.
 *
 * @param timeout longest the trial may take; then the process is killed and the upload refused
 * @param heap the child's Java heap ({@code -Xmx})
 * @param directMemory the child's direct buffer memory ({@code -XX:MaxDirectMemorySize})
 * @param addressSpace the child's virtual address space through prlimit(1), which bounds ONNX
 *     Runtime's native allocations too; 0 leaves it unbounded
 */
public record TrialLoadSettings(Duration timeout, long heap, long directMemory, long addressSpace) {

  private static final long MIN_HEAP = 16L << 20;

  public TrialLoadSettings {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("rigserve.runtime.trial-load.timeout must be positive, got " + timeout);
    }
    if (heap < MIN_HEAP) {
      throw new IllegalArgumentException("rigserve.runtime.trial-load.heap must be at least 16 MiB, got " + heap);
    }
    if (directMemory < 0 || addressSpace < 0) {
      throw new IllegalArgumentException("rigserve.runtime.trial-load direct-memory and address-space must not be negative");
    }
    if (addressSpace != 0 && addressSpace < 4 * heap) {
      throw new IllegalArgumentException(
          "rigserve.runtime.trial-load.address-space must be 0 or at least 4 x heap: a JVM reserves far more than its heap");
    }
  }

  /** The defaults of reference.conf. */
  public static TrialLoadSettings defaults() {
    return new TrialLoadSettings(Duration.ofSeconds(60), 256L << 20, 64L << 20, 8L << 30);
  }

  public static TrialLoadSettings from(Config config) {
    Config c = config.getConfig("rigserve.runtime.trial-load");
    return new TrialLoadSettings(
        c.getDuration("timeout"), c.getBytes("heap"), c.getBytes("direct-memory"), c.getBytes("address-space"));
  }
}
