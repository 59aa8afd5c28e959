package io.rigserve.cluster.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Derives the Pekko settings that follow from a rig's identity (addresses, region) and from
 * {@code rigserve.cluster}. Both are validated here, so a wrong setting fails before any actor
 * system starts.
 */
public final class RigConfig {

  private RigConfig() {}

  /** The full configuration an ActorSystem of this rig starts with. */
  public static Config forRig(Config config) {
    RigSettings rig = RigSettings.from(config);
    ClusterSettings cluster = ClusterSettings.from(config);
    Map<String, Object> derived = new HashMap<>();
    derived.put("pekko.remote.artery.canonical.hostname", rig.host());
    derived.put("pekko.remote.artery.canonical.port", rig.port());
    derived.put("pekko.remote.artery.bind.hostname", rig.bindHost());
    if (rig.bindPort() != rig.port()) {
      // Left unset otherwise: with port 0 Artery then binds the one port it advertises.
      derived.put("pekko.remote.artery.bind.port", rig.bindPort());
    }
    derived.put("pekko.cluster.multi-data-center.self-data-center", rig.region());
    derived.put("pekko.management.http.hostname", rig.host());
    derived.put("pekko.management.http.port", rig.managementPort());
    derived.put("pekko.management.http.bind-hostname", rig.managementBindHost());
    derived.put("pekko.management.http.bind-port", rig.managementPort());
    return ConfigFactory.parseMap(derived)
        .withFallback(cluster.toPekkoConfig())
        .withFallback(config);
  }
}
