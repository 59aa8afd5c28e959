package io.rigserve.serving.partition;

import com.typesafe.config.Config;
import io.rigserve.cluster.settings.InvalidSetting;
import io.rigserve.cluster.settings.SettingsReader;

/**
 * How the partitioner trades balance for narrow cuts, and how it sizes a stage in memory, read
 * once from {@code rigserve.partition}.
 *
 * @param balanceTolerance how far (as a fraction of an average stage's weight bytes) a cut may move
 *     from the perfectly balanced position to cross fewer, smaller tensors; 0 cuts for balance alone
 * @param memoryFactor memory a loaded stage needs per byte of weights: ONNX Runtime holds the
 *     weights, plus prepacked copies and arena slack for some kernels
 * @param memoryOverheadBytes memory a loaded stage needs whatever its weights: the session, its
 *     kernels and graph, and activations of a modest batch
 */
public record PartitionSettings(double balanceTolerance, double memoryFactor, long memoryOverheadBytes) {

  private static final String TOLERANCE = "a number from 0 to 1, such as 0.1";
  private static final String FACTOR = "a number of at least 1, such as 1.2";
  private static final String OVERHEAD = "a size of 0 or more, such as 64 MiB";

  public PartitionSettings {
    if (!(balanceTolerance >= 0 && balanceTolerance <= 1)) {
      throw new InvalidSetting("rigserve.partition.balance-tolerance", balanceTolerance, TOLERANCE);
    }
    if (!(memoryFactor >= 1)) {
      throw new InvalidSetting("rigserve.partition.memory-factor", memoryFactor, FACTOR);
    }
    if (memoryOverheadBytes < 0) {
      throw new InvalidSetting("rigserve.partition.memory-overhead", memoryOverheadBytes, OVERHEAD);
    }
  }

  /** Cuts may move 10% of a stage's weight for a narrower crossing; a stage needs 1.2 x weights + 64 MiB. */
  public static PartitionSettings defaults() {
    return new PartitionSettings(0.10, 1.2, 64L << 20);
  }

  public static PartitionSettings from(Config config) {
    SettingsReader c = new SettingsReader(config, "rigserve.partition");
    return new PartitionSettings(c.number("balance-tolerance", 0, 1, TOLERANCE),
        c.number("memory-factor", 1, Double.MAX_VALUE, FACTOR), c.bytesOrZero("memory-overhead", OVERHEAD));
  }

  /** The memory a stage holding this many weight bytes needs once loaded. */
  public long memoryFor(long weightBytes) {
    double bytes = Math.ceil(weightBytes * memoryFactor) + memoryOverheadBytes;
    return bytes >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) bytes;
  }
}
