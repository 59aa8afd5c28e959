package io.rigserve.cluster.topology;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.Address;

/**
 * Measured RTTs of one rig, per peer and per region, as exponentially weighted moving averages.
 * The first sample is taken as it is; each later one moves the average by {@code weight}.
 * Owned by {@link RegionTopology}: not thread-safe.
 */
final class RttTable {

  private static final class Average {
    double millis;
    long samples;
    long lastSampleNanos;

    void add(double sample, double weight, long atNanos) {
      millis = samples == 0 ? sample : weight * sample + (1 - weight) * millis;
      samples++;
      lastSampleNanos = atNanos;
    }

    RttEstimate estimate(long nowNanos) {
      return new RttEstimate(
          millis, samples, Optional.of(Duration.ofNanos(Math.max(0, nowNanos - lastSampleNanos))));
    }
  }

  private final double weight;
  private final Map<Address, Average> byRig = new HashMap<>();
  private final Map<String, Average> byRegion = new HashMap<>();

  RttTable(double weight) {
    this.weight = weight;
  }

  void record(Address rig, String region, double millis, long atNanos) {
    byRig.computeIfAbsent(rig, a -> new Average()).add(millis, weight, atNanos);
    byRegion.computeIfAbsent(region, r -> new Average()).add(millis, weight, atNanos);
  }

  Optional<RttEstimate> rig(Address rig, long nowNanos) {
    return Optional.ofNullable(byRig.get(rig)).map(a -> a.estimate(nowNanos));
  }

  Optional<RttEstimate> region(String region, long nowNanos) {
    return Optional.ofNullable(byRegion.get(region)).map(a -> a.estimate(nowNanos));
  }

  /** A rig that left takes its samples along; its region keeps the average it helped build. */
  void forget(Address rig) {
    byRig.remove(rig);
  }

  /** Drops a region nobody is left in, so a region that comes back starts from its prior. */
  void forgetRegion(String region) {
    byRegion.remove(region);
  }
}
