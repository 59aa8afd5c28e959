package io.rigserve.serving.drain;

import com.typesafe.config.Config;
import io.rigserve.cluster.settings.SettingsReader;
import java.time.Duration;

/**
 * How a rig drains.
 *
 * @param onStop whether a stopping rig drains itself before it leaves
 * @param onStopTimeout longest a stopping rig waits for its replicas to move away before it leaves
 * @param pollInterval time between two looks at whether a draining rig is empty
 */
public record DrainSettings(boolean onStop, Duration onStopTimeout, Duration pollInterval) {

  public static DrainSettings from(Config config) {
    SettingsReader s = new SettingsReader(config, "rigserve.drain");
    return new DrainSettings(s.flag("on-stop"), s.duration("on-stop-timeout"), s.duration("poll-interval", Duration.ofSeconds(10)));
  }
}
