package io.rigserve.cluster.node;

import com.typesafe.config.Config;
import io.rigserve.cluster.security.SecuritySettings;
import io.rigserve.cluster.settings.SettingsReader;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Identity and addresses of one rig, read once at start from {@code rigserve.node} and
 * {@code rigserve.management}. Every value is validated here, so a wrong setting stops the start
 * with a message naming it.
 *
 * <p>{@code host}/{@code port} are what other rigs dial (Artery's canonical address); {@code
 * bindHost}/{@code bindPort} are the local socket, which differ behind NAT or in a container.
 */
public record RigSettings(
    String systemName,
    String region,
    String zone,
    double latitude,
    double longitude,
    long modelMemoryBytes,
    String host,
    int port,
    List<SeedNode> seedNodes,
    String bindHost,
    int bindPort,
    String managementBindHost,
    int managementPort,
    int dataPlanePort,
    boolean dataPlaneTls) {

  /** Pekko Management's own default port (PMAN on a telephone keypad). */
  public static final int DEFAULT_MANAGEMENT_PORT = 7626;
  public static final int DEFAULT_DATA_PLANE_PORT = 7627;

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /** A seed rig to join: host and Artery port. */
  public record SeedNode(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  public static RigSettings from(Config config) {
    SettingsReader node = new SettingsReader(config, "rigserve.node");
    SettingsReader management = new SettingsReader(config, "rigserve.management");
    String region = name(node, "region");
    String zone = name(node, "zone");
    double latitude = node.number("latitude", -90, 90, "a number from -90.0 to 90.0");
    double longitude = node.number("longitude", -180, 180, "a number from -180.0 to 180.0");
    long memory = node.bytes("capacity.model-memory", "a size greater than zero, such as 512 MiB or 8 GiB");
    String host = node.string("host").trim();
    if (host.isEmpty()) {
      throw node.invalid("host", host, "a host name or IP address");
    }
    int port = port(node, "port");
    String bindHost = node.string("bind-host").trim();
    bindHost = bindHost.isEmpty() ? host : bindHost;
    int bindPort = optionalPort(node, "bind-port", port);
    String managementBindHost = management.string("bind-host").trim();
    managementBindHost = managementBindHost.isEmpty() ? bindHost : managementBindHost;
    int managementPort = port(management, "port");
    List<SeedNode> seeds = seeds(node, "seed-nodes");
    return new RigSettings(
        node.string("system-name"), region, zone, latitude, longitude, memory, host, port, seeds,
        bindHost, bindPort, managementBindHost, managementPort, port(node, "data-plane-port"),
        SecuritySettings.from(config).tlsDir().isPresent());
  }

  /** Where other rigs fetch partition files from this rig: HTTPS when cluster TLS is on. */
  public String dataPlaneUrl() {
    return (dataPlaneTls ? "https://" : "http://") + host + ":" + dataPlanePort;
  }

  private static String name(SettingsReader c, String key) {
    String value = c.string(key);
    if (!NAME.matcher(value).matches()) {
      throw c.invalid(key, value,
          "lower-case letters, digits and '-', starting with a letter or digit, at most 63 characters");
    }
    return value;
  }

  private static int port(SettingsReader c, String key) {
    return c.integer(key, 0, 65535, "a port from 0 to 65535 (0: any free port)");
  }

  /** An empty value means: the same as {@code fallback}. */
  private static int optionalPort(SettingsReader c, String key, int fallback) {
    Object raw = c.raw(key);
    if (raw instanceof String s && s.isBlank()) {
      return fallback;
    }
    return c.integer(key, 0, 65535, "a port from 0 to 65535, or \"\" for the same as port");
  }

  /** Parses "host:port,host:port"; empty means: this rig starts a new cluster. */
  private static List<SeedNode> seeds(SettingsReader c, String key) {
    String value = c.string(key);
    List<SeedNode> seeds = new ArrayList<>();
    for (String part : value.split(",")) {
      String s = part.trim();
      if (s.isEmpty()) continue;
      int colon = s.lastIndexOf(':');
      int port = -1;
      if (colon > 0) {
        try {
          port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException ignored) {
          // reported below
        }
      }
      if (port < 1 || port > 65535) {
        throw c.invalid(key, value, "a comma-separated list of host:port (the seeds' Artery ports)");
      }
      seeds.add(new SeedNode(s.substring(0, colon), port));
    }
    return List.copyOf(seeds);
  }
}
