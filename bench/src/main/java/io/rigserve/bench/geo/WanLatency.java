package io.rigserve.bench.geo;

import java.util.Map;

/**
 * Round trips between real cloud regions (typical published inter-region medians, rounded), the
 * delays the proxies put between the namespaces. Inside a region there is none.
 */
public final class WanLatency {

  private static final Map<String, Integer> RTT_MILLIS = Map.of(
      key("us-east", "eu-west"), 76,
      key("us-east", "sa-east"), 115,
      key("us-east", "af-south"), 225,
      key("eu-west", "sa-east"), 185,
      key("eu-west", "af-south"), 160,
      key("sa-east", "af-south"), 340);

  private WanLatency() {}

  /** The round trip between two regions in milliseconds; 0 inside one region. */
  public static int rttMillis(String a, String b) {
    if (a.equals(b)) return 0;
    Integer rtt = RTT_MILLIS.get(key(a, b));
    if (rtt == null) throw new IllegalArgumentException("no round trip known between " + a + " and " + b);
    return rtt;
  }

  private static String key(String a, String b) {
    return a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
  }
}
