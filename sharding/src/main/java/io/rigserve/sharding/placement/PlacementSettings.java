package io.rigserve.sharding.placement;

import com.typesafe.config.Config;
import io.rigserve.cluster.node.InvalidSetting;
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
    Config c = config.getConfig("rigserve.placement");
    Duration interval = positive(c, "interval");
    int moves = c.getInt("max-moves-per-round");
    if (moves < 0) {
      throw new InvalidSetting("rigserve.placement.max-moves-per-round", moves, "0 or more");
    }
    double imbalance = c.getDouble("imbalance");
    if (imbalance < 0 || imbalance > 1) {
      throw new InvalidSetting("rigserve.placement.imbalance", imbalance, "a share from 0 to 1");
    }
    return new PlacementSettings(interval, moves, imbalance, positive(c, "rebalance-interval"),
        positive(c, "handoff-timeout"), positive(c, "tombstone-lifetime"));
  }

  public PlacementPolicy policy() {
    return new PlacementPolicy(maxMovesPerRound, imbalance);
  }

  private static Duration positive(Config c, String key) {
    Duration d = c.getDuration(key);
    if (d.isNegative() || d.isZero()) {
      throw new InvalidSetting("rigserve.placement." + key, c.getValue(key).unwrapped(), "a positive duration");
    }
    return d;
  }
}
