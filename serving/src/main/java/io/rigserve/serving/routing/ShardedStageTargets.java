package io.rigserve.serving.routing;

import io.rigserve.cluster.topology.TopologyCache;
import io.rigserve.sharding.replica.ReplicaDirectory;
import io.rigserve.sharding.replica.ReplicaSharding;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The replicas of a partition a stage may go to, best first: the replica directory's current
 * snapshot and this rig's latest topology view, ordered by {@link ReplicaRanking}, each sent to
 * through Cluster Sharding as a {@link ReplicaTarget} that counts its stages in {@link RoutingStats}.
 */
public final class ShardedStageTargets implements StageTargets {

  private final ReplicaSharding sharding;
  private final ReplicaDirectory directory;
  private final TopologyCache topology;
  private final RoutingStats stats;
  private final ReplicaRanking ranking;

  public ShardedStageTargets(ReplicaSharding sharding, ReplicaDirectory directory, TopologyCache topology,
      RoutingStats stats, Duration silentAfter) {
    this.sharding = sharding;
    this.directory = directory;
    this.topology = topology;
    this.stats = stats;
    this.ranking = new ReplicaRanking(sharding.ownRegion(), silentAfter);
  }

  @Override
  public List<StageTarget> candidates(String model, String version, int partition) {
    return ranking.rank(directory.snapshot().ofPartition(model, version, partition), topology.view(), stats,
            Instant.now(), ThreadLocalRandom.current())
        .stream().<StageTarget>map(c -> new ReplicaTarget(sharding, stats, c)).toList();
  }

}
