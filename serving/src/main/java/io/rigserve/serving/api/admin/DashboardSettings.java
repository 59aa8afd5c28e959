package io.rigserve.serving.api.admin;

import com.typesafe.config.Config;
import io.rigserve.cluster.settings.SettingsReader;
import java.time.Duration;

/**
 * The dashboard's live feed.
 *
 * @param eventsInterval time between two looks at the cluster for {@code /admin/events}
 */
public record DashboardSettings(Duration eventsInterval) {

  public static DashboardSettings from(Config config) {
    SettingsReader s = new SettingsReader(config, "rigserve.dashboard");
    return new DashboardSettings(s.duration("events-interval", Duration.ofMinutes(1)));
  }
}
