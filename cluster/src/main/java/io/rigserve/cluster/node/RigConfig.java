package io.rigserve.cluster.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.owner.RigOwner;
import io.rigserve.cluster.security.RigTls;
import io.rigserve.cluster.security.SecuritySettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
    List<String> roles = new ArrayList<>(config.getStringList("pekko.cluster.roles"));
    if (roles.stream().noneMatch(r -> r.startsWith(RigOwner.ROLE_PREFIX))) roles.add(RigOwner.role(RigOwner.of(config)));
    derived.put("pekko.cluster.roles", roles);
    derived.put("pekko.management.http.hostname", rig.host());
    derived.put("pekko.management.http.port", rig.managementPort());
    derived.put("pekko.management.http.bind-hostname", rig.managementBindHost());
    derived.put("pekko.management.http.bind-port", rig.managementPort());
    derived.putAll(ClusterDiscovery.from(config).toPekkoSettings(!rig.seedNodes().isEmpty()));
    SecuritySettings security = SecuritySettings.from(config);
    if (security.tlsDir().isPresent()) {
      RigTls.load(security.tlsDir().get(), security.tlsReloadInterval()); // stops here if the files are unusable
      derived.putAll(arteryTls(security));
    }
    return ConfigFactory.parseMap(derived)
        .withFallback(cluster.toPekkoConfig())
        .withFallback(config);
  }

  /**
   * Artery over TLS with mutual authentication: Pekko's rotating-keys provider reads the PEM
   * files again once its context is older than {@code tls-reload-interval}, so rotated
   * certificates are used by new connections without a restart. It checks the peer's
   * certificate against the CA and demands a subject name (CN or DNS name) shared with this
   * rig's own certificate; deploy/certs.sh gives every rig the cluster's name for that.
   */
  private static Map<String, Object> arteryTls(SecuritySettings security) {
    String engine = "pekko.remote.artery.ssl.rotating-keys-engine.";
    Map<String, Object> tls = new HashMap<>();
    tls.put("pekko.remote.artery.transport", "tls-tcp");
    tls.put("pekko.remote.artery.ssl.ssl-engine-provider",
        "org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider");
    tls.put(engine + "key-file", security.tlsFile(SecuritySettings.KEY_FILE).orElseThrow().toString());
    tls.put(engine + "cert-file", security.tlsFile(SecuritySettings.CERT_FILE).orElseThrow().toString());
    tls.put(engine + "ca-cert-file", security.tlsFile(SecuritySettings.CA_FILE).orElseThrow().toString());
    tls.put(engine + "protocol", RigTls.PROTOCOL);
    tls.put(engine + "enabled-algorithms", RigTls.CIPHER_SUITES);
    tls.put(engine + "ssl-context-cache-ttl", security.tlsReloadInterval().toMillis() + "ms");
    return tls;
  }
}
