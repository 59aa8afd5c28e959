package io.rigserve.serving.runtime;

import com.typesafe.config.Config;
import io.rigserve.cluster.settings.InvalidSetting;
import io.rigserve.cluster.settings.SettingsReader;
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
      throw new InvalidSetting("rigserve.runtime.trial-load.timeout", timeout, "a duration greater than zero");
    }
    if (heap < MIN_HEAP) {
      throw new InvalidSetting("rigserve.runtime.trial-load.heap", heap, "at least 16 MiB");
    }
    if (directMemory < 0) {
      throw new InvalidSetting("rigserve.runtime.trial-load.direct-memory", directMemory, "0 or more");
    }
    if (addressSpace < 0) {
      throw new InvalidSetting("rigserve.runtime.trial-load.address-space", addressSpace, "0 or more");
    }
    if (addressSpace != 0 && addressSpace < 4 * heap) {
      throw new InvalidSetting("rigserve.runtime.trial-load.address-space", addressSpace,
          "0 or at least 4 x heap (" + 4 * heap + "): a JVM reserves far more than its heap");
    }
  }

  /** The defaults of reference.conf. */
  public static TrialLoadSettings defaults() {
    return new TrialLoadSettings(Duration.ofSeconds(60), 256L << 20, 64L << 20, 8L << 30);
  }

  public static TrialLoadSettings from(Config config) {
    SettingsReader c = new SettingsReader(config, "rigserve.runtime.trial-load");
    return new TrialLoadSettings(c.duration("timeout"), c.bytes("heap", "at least 16 MiB"),
        c.bytesOrZero("direct-memory", "0 or more, such as 64 MiB"),
        c.bytesOrZero("address-space", "0 (unbounded) or at least 4 x heap, such as 8 GiB"));
  }
}
