package io.rigserve.serving.metrics;

import com.typesafe.config.Config;
import io.rigserve.cluster.settings.SettingsReader;

/** The Prometheus endpoint's settings ({@code rigserve.metrics}), read once at start. */
public record MetricsSettings(boolean enabled, int port) {

  public static MetricsSettings from(Config config) {
    SettingsReader s = new SettingsReader(config, "rigserve.metrics");
    return new MetricsSettings(s.flag("enabled"), s.integer("port", 0, 65535, "a port from 0 to 65535 (0: any free port)"));
  }
}
