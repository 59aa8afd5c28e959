package io.rigserve.serving.routing;

import io.rigserve.cluster.topology.TopologyCache;
import io.rigserve.sharding.replica.ReplicaDirectory;
import io.rigserve.sharding.replica.ReplicaSharding;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * The replicas of a partition a stage may go to, best first: the replica directory's current
 * snapshot and this rig's latest topology view, ordered by {@link ReplicaRanking}, each sent to
 * through Cluster Sharding as a {@link ReplicaTarget} that counts its stages in {@link RoutingStats}
 * and hands its outputs to a {@link StageCheck}. Quarantined rigs are left out.
 */
public final class ShardedStageTargets implements StageTargets {

  private final ReplicaSharding sharding;
  private final ReplicaDirectory directory;
  private final TopologyCache topology;
  private final RoutingStats stats;
  private final ReplicaRanking ranking;
  private final StageCheck check;

  public ShardedStageTargets(ReplicaSharding sharding, ReplicaDirectory directory, TopologyCache topology,
      RoutingStats stats, Duration silentAfter) {
    this(sharding, directory, topology, stats, silentAfter, address -> false, StageCheck.NONE);
  }

  public ShardedStageTargets(ReplicaSharding sharding, ReplicaDirectory directory, TopologyCache topology,
      RoutingStats stats, Duration silentAfter, Predicate<String> quarantined, StageCheck check) {
    this.sharding = sharding;
    this.directory = directory;
    this.topology = topology;
    this.stats = stats;
    this.ranking = new ReplicaRanking(sharding.ownRegion(), silentAfter, quarantined);
    this.check = check;
  }

  /** The same replicas, whose outputs go on unchecked: for the checks themselves. */
  public ShardedStageTargets unchecked() {
    return new ShardedStageTargets(sharding, directory, topology, stats, ranking, StageCheck.NONE);
  }

  private ShardedStageTargets(ReplicaSharding sharding, ReplicaDirectory directory, TopologyCache topology,
      RoutingStats stats, ReplicaRanking ranking, StageCheck check) {
    this.sharding = sharding;
    this.directory = directory;
    this.topology = topology;
    this.stats = stats;
    this.ranking = ranking;
    this.check = check;
  }

  @Override
  public List<StageTarget> candidates(String model, String version, int partition) {
    return ranking.rank(directory.snapshot().ofPartition(model, version, partition), topology.view(), stats,
            Instant.now(), ThreadLocalRandom.current())
        .stream().<StageTarget>map(c -> new ReplicaTarget(sharding, stats, c, check)).toList();
  }

}
