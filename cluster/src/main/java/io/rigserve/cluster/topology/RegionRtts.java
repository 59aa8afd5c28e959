package io.rigserve.cluster.topology;

import io.rigserve.cluster.serialization.InternalMessage;

/**
 * What one rig measured to other regions, as it publishes it in {@link RttBoard}: parallel arrays
 * of region names and RTT moving averages in milliseconds. Only measured values, never priors.
 *
 * @param region the publishing rig's region
 * @param toRegions the regions it has samples to, other than its own
 * @param millis RTT to each of {@code toRegions}, in the same order
 */
public record RegionRtts(String region, String[] toRegions, double[] millis) implements InternalMessage {

  public RegionRtts {
    if (region == null || toRegions == null || millis == null || toRegions.length != millis.length) {
      throw new IllegalArgumentException("a region and as many RTTs as regions");
    }
  }
}
