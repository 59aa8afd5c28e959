package io.rigserve.serving.routing;

import io.rigserve.cluster.topology.RttEstimate;
import io.rigserve.serving.deploy.ModelCatalog;
import io.rigserve.serving.deploy.TopologyCache;
import io.rigserve.sharding.replica.PartitionReplica;
import io.rigserve.sharding.replica.ReplicaDirectory;
import io.rigserve.sharding.replica.ReplicaLocation;
import io.rigserve.sharding.replica.ReplicaSharding;
import io.rigserve.sharding.replica.StageInput;
import io.rigserve.sharding.replica.StageResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The ready, reachable replicas of a partition from the replica directory, this rig's region
 * first and then the other regions by measured round-trip time; replicas of one region in random
 * order, so load spreads over them. Each is reached through Cluster Sharding (a proxy for
 * another region).
 */
public final class ShardedStageTargets implements StageTargets {

  private final ReplicaSharding sharding;
  private final ReplicaDirectory directory;
  private final TopologyCache topology;
  private final ModelCatalog catalog;

  public ShardedStageTargets(ReplicaSharding sharding, ReplicaDirectory directory, TopologyCache topology, ModelCatalog catalog) {
    this.sharding = sharding;
    this.directory = directory;
    this.topology = topology;
    this.catalog = catalog;
  }

  @Override
  public List<StageTarget> candidates(String model, String version, int partition) {
    List<ReplicaLocation> usable = new ArrayList<>(directory.snapshot().ofPartition(model, version, partition).stream()
        .filter(catalog::usable).toList());
    Collections.shuffle(usable, ThreadLocalRandom.current());
    String own = sharding.ownRegion();
    usable.sort(Comparator.comparingDouble(r -> r.region().equals(own) ? -1 : regionRtt(r.region())));
    List<StageTarget> targets = new ArrayList<>(usable.size());
    for (ReplicaLocation r : usable) targets.add(target(r));
    return targets;
  }

  private double regionRtt(String region) {
    return topology.view().flatMap(v -> v.rttToRegion(region)).map(RttEstimate::millis).orElse(Double.MAX_VALUE);
  }

  private StageTarget target(ReplicaLocation replica) {
    return new StageTarget() {
      @Override
      public String describe() {
        return replica.id() + " in " + replica.region() + " on " + replica.address();
      }

      @Override
      public CompletionStage<StageResult> run(StageInput input, Instant attemptDeadline) {
        Duration timeout = Duration.between(Instant.now(), attemptDeadline);
        if (timeout.isNegative() || timeout.isZero()) {
          return CompletableFuture.completedFuture(
              new StageResult.Failed(StageResult.Reason.DEADLINE_EXCEEDED, "no time left for " + describe()));
        }
        long deadline = attemptDeadline.toEpochMilli();
        return sharding.refFor(replica.id(), replica.region())
            .ask(replyTo -> new PartitionReplica.Run(input, deadline, replyTo), timeout);
      }
    };
  }
}
