package io.rigserve.sharding.placement;

import com.typesafe.config.Config;
import io.rigserve.cluster.settings.SettingsReader;
import io.rigserve.sharding.replica.ReplicaMoves;
import java.time.Duration;

/**
 * How each region's placement controller works, from {@code rigserve.placement}.
 *
 * @param interval time between placement rounds (and between re-sent warm-ups on each rig)
 * @param maxMovesPerRound replicas moved per round to even out load (moving reloads a replica)
 * @param imbalance load share gap between the fullest and the emptiest rig tolerated before moving
 * @param rebalanceInterval how often Cluster Sharding moves replicas to their placed rig
 * @param handoffTimeout longest a move waits for the rigs to let go of a replica
 * @param tombstoneLifetime how long an unload is remembered; the longest absence after which a
 *     returning rig may still deploy what its disk holds
 */
public record PlacementSettings(
    Duration interval, int maxMovesPerRound, double imbalance, Duration rebalanceInterval, Duration handoffTimeout,
    Duration tombstoneLifetime) {

  public static PlacementSettings from(Config config) {
    SettingsReader s = new SettingsReader(config, "rigserve.placement");
    return new PlacementSettings(
        s.duration("interval"),
        s.integer("max-moves-per-round", 0, Integer.MAX_VALUE, "0 or more"),
        s.number("imbalance", 0, 1, "a share from 0 to 1"),
        s.duration("rebalance-interval"),
        s.duration("handoff-timeout"),
        s.duration("tombstone-lifetime"));
  }

  public PlacementPolicy policy() {
    return new PlacementPolicy(maxMovesPerRound, imbalance);
  }

  /** What each rig's replica host and shard region take from placement. */
  public ReplicaMoves moves() {
    return new ReplicaMoves(interval, rebalanceInterval, handoffTimeout);
  }
}
