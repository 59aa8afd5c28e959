package io.rigserve.cluster.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;

/** Derives the Pekko settings that follow from a rig's identity (address, region). */
public final class RigConfig {

  private RigConfig() {}

  /** The full configuration an ActorSystem of this rig starts with. */
  public static Config forRig(Config config) {
    RigSettings rig = RigSettings.from(config);
    Config derived =
        ConfigFactory.parseMap(
            Map.of(
                "pekko.remote.artery.canonical.hostname", rig.host(),
                "pekko.remote.artery.canonical.port", rig.port(),
                "pekko.cluster.multi-data-center.self-data-center", rig.region()));
    return derived.withFallback(config);
  }
}
