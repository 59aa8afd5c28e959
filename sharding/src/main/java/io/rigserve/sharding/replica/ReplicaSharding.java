package io.rigserve.sharding.replica;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/** Partition replicas as Cluster Sharding entities on this rig. */
public final class ReplicaSharding {

  private final ClusterSharding sharding;
  private final ActorRef<ShardingEnvelope<PartitionReplica.Command>> region;

  private ReplicaSharding(ClusterSharding sharding, ActorRef<ShardingEnvelope<PartitionReplica.Command>> region) {
    this.sharding = sharding;
    this.region = region;
  }

  /** Starts this rig's shard region for replicas, which run the runtimes {@code runtimes} finds. */
  public static ReplicaSharding start(ActorSystem<?> system, PartitionRuntimes runtimes) {
    ReplicaSettings settings = ReplicaSettings.from(system.settings().config());
    ClusterSharding sharding = ClusterSharding.get(system);
    ActorRef<ShardingEnvelope<PartitionReplica.Command>> region =
        sharding.init(
            Entity.of(
                PartitionReplica.TYPE_KEY,
                ctx -> PartitionReplica.create(ReplicaId.parse(ctx.getEntityId()), runtimes, settings)));
    return new ReplicaSharding(sharding, region);
  }

  public EntityRef<PartitionReplica.Command> refFor(ReplicaId id) {
    return sharding.entityRefFor(PartitionReplica.TYPE_KEY, id.entityId());
  }

  public ActorRef<ShardingEnvelope<PartitionReplica.Command>> region() {
    return region;
  }
}
