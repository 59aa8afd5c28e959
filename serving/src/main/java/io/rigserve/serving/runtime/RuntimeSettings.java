package io.rigserve.serving.runtime;

import com.typesafe.config.Config;
import io.rigserve.cluster.settings.InvalidSetting;
import io.rigserve.cluster.settings.SettingsReader;
import java.util.List;

/**
 * How ONNX Runtime sessions run on this rig, read once from {@code rigserve.runtime}.
 *
 * @param intraOpThreads threads one run may use inside an operator
 * @param interOpThreads threads one run may use to execute independent operators at once
 * @param optimizationLevel graph optimizations at load: "all", "extended", "basic" or "none"
 */
public record RuntimeSettings(int intraOpThreads, int interOpThreads, String optimizationLevel) {

  public static final List<String> OPTIMIZATION_LEVELS = List.of("all", "extended", "basic", "none");

  // More threads than this per run is a misconfiguration on any rig we target.
  private static final int MAX_THREADS = 256;

  public RuntimeSettings {
    checkThreads("rigserve.runtime.intra-op-threads", intraOpThreads);
    checkThreads("rigserve.runtime.inter-op-threads", interOpThreads);
    if (optimizationLevel == null || !OPTIMIZATION_LEVELS.contains(optimizationLevel)) {
      throw new InvalidSetting(
          "rigserve.runtime.optimization-level", optimizationLevel, "one of " + String.join(", ", OPTIMIZATION_LEVELS));
    }
  }

  /** One thread per run, full optimization: the defaults of reference.conf. */
  public static RuntimeSettings defaults() {
    return new RuntimeSettings(1, 1, "all");
  }

  public static RuntimeSettings from(Config config) {
    SettingsReader c = new SettingsReader(config, "rigserve.runtime");
    String threads = "from 1 to " + MAX_THREADS;
    return new RuntimeSettings(c.integer("intra-op-threads", 1, MAX_THREADS, threads),
        c.integer("inter-op-threads", 1, MAX_THREADS, threads), c.oneOf("optimization-level", OPTIMIZATION_LEVELS));
  }

  private static void checkThreads(String setting, int value) {
    if (value < 1 || value > MAX_THREADS) {
      throw new InvalidSetting(setting, value, "from 1 to " + MAX_THREADS);
    }
  }
}
