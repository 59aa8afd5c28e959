package io.rigserve.cluster.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Identity and addresses of one rig, read once at start from {@code rigserve.node}. Every value
 * is validated here, so a wrong setting stops the start with a message naming it.
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
    List<SeedNode> seedNodes) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /** A seed rig to join: host and Artery port. */
  public record SeedNode(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  public static RigSettings from(Config config) {
    Config c = config.getConfig("rigserve.node");
    String region = name(c, "region");
    String zone = name(c, "zone");
    double latitude = range(c, "latitude", -90, 90);
    double longitude = range(c, "longitude", -180, 180);
    long memory = bytes(c, "capacity.model-memory");
    String host = c.getString("host");
    if (host.isBlank()) {
      throw invalid("host", host, "a host name or IP address");
    }
    int port = port(c, "port", c.getInt("port"));
    return new RigSettings(
        c.getString("system-name"), region, zone, latitude, longitude, memory, host, port,
        seeds(c.getString("seed-nodes")));
  }

  private static String name(Config c, String key) {
    String value = c.getString(key);
    if (!NAME.matcher(value).matches()) {
      throw invalid(key, value, "lower-case letters, digits and '-', starting with a letter or digit, at most 63 characters");
    }
    return value;
  }

  private static double range(Config c, String key, double min, double max) {
    double value;
    try {
      value = c.getDouble(key);
    } catch (ConfigException.WrongType e) {
      throw invalid(key, c.getValue(key).unwrapped(), "a number from " + min + " to " + max);
    }
    if (value < min || value > max || Double.isNaN(value)) {
      throw invalid(key, value, "a number from " + min + " to " + max);
    }
    return value;
  }

  private static long bytes(Config c, String key) {
    long value;
    try {
      value = c.getBytes(key);
    } catch (ConfigException.BadValue | ConfigException.WrongType e) {
      throw invalid(key, c.getValue(key).unwrapped(), "a size such as 512 MiB or 8 GiB");
    }
    if (value <= 0) {
      throw invalid(key, value, "a size greater than zero, such as 8 GiB");
    }
    return value;
  }

  private static int port(Config c, String key, int value) {
    if (value < 0 || value > 65535) {
      throw invalid(key, value, "a port from 0 to 65535 (0: any free port)");
    }
    return value;
  }

  /** Parses "host:port,host:port"; empty means: this rig starts a new cluster. */
  static List<SeedNode> seeds(String value) {
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
        throw invalid("seed-nodes", value, "a comma-separated list of host:port (the seeds' Artery ports)");
      }
      seeds.add(new SeedNode(s.substring(0, colon), port));
    }
    return List.copyOf(seeds);
  }

  private static IllegalArgumentException invalid(String key, Object value, String accepted) {
    return new IllegalArgumentException(
        "invalid setting rigserve.node." + key + " = '" + value + "': expected " + accepted);
  }
}
