package io.rigserve.serving.routing;

import io.rigserve.sharding.replica.ReplicaId;
import java.time.Duration;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This gateway's view of every replica it has routed to, keyed by region and replica: the
 * numbers routing decisions use, and what operators see in {@code /admin/routing}.
 */
public final class RoutingStats {

  /** One replica of one region. */
  public record Key(String region, ReplicaId replica) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int byRegion = region.compareTo(o.region);
      return byRegion != 0 ? byRegion : replica.compareTo(o.replica);
    }
  }

  private final Map<Key, ReplicaStats> stats = new ConcurrentHashMap<>();
  private final Map<String, RigSilence> rigs = new ConcurrentHashMap<>();
  private final int breakerFailures;
  private final long coolDownNanos;

  public RoutingStats(int breakerFailures, Duration coolDown) {
    this.breakerFailures = breakerFailures;
    this.coolDownNanos = coolDown.toNanos();
  }

  public ReplicaStats of(String region, ReplicaId replica) {
    return stats.computeIfAbsent(new Key(region, replica), k -> new ReplicaStats());
  }

  /** What this gateway has heard from the rig at {@code address}. */
  public RigSilence rig(String address) {
    return rigs.computeIfAbsent(address, a -> new RigSilence(Duration.ofNanos(coolDownNanos)));
  }

  void failed(ReplicaStats s) {
    s.failed(breakerFailures, coolDownNanos);
  }

  /** An attempt sent at {@code sentNanos} to a replica on the rig got no answer in time. */
  void timedOut(String address, long sentNanos) {
    rig(address).timedOut(sentNanos, System.nanoTime());
  }

  public SortedMap<Key, ReplicaStats> snapshot() {
    return new TreeMap<>(stats);
  }
}
