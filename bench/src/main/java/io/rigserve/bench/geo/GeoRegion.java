package io.rigserve.bench.geo;

/**
 * One region of the simulated WAN: where it stands, how many rigs it has and the model memory
 * each of them gives. {@code index} (from 1) numbers its namespace and addresses.
 */
public record GeoRegion(int index, String name, double latitude, double longitude, int rigs, String modelMemory) {

  /** The network namespace the region's rigs run in. */
  public String namespace() {
    return "rsgeo-" + name;
  }

  /** The address rigs of this region advertise to the cluster (reached through the delay proxies). */
  public String canonicalHost() {
    return "10.232." + index + ".1";
  }

  /** The region's address on the bridge: what rigs bind, what the proxies and load clients reach. */
  public String transitHost() {
    return "10.231.0." + (10 + index);
  }
}
