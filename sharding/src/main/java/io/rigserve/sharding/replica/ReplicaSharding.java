package io.rigserve.sharding.replica;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Partition replicas as Cluster Sharding entities on this rig, and the way to reach replicas of
 * any region. Each replica is its own shard, allocated where its region's placement controller
 * put it ({@code ExternalShardAllocationStrategy} named after the region); replicas are never
 * passivated for idleness (they stay loaded). Starting it also starts this rig's {@link
 * ReplicaHost}.
 */
public final class ReplicaSharding {

  /** Local asks of the allocation strategy to its location map; they never leave the rig. */
  private static final Duration ALLOCATION_TIMEOUT = Duration.ofSeconds(5);

  private final ClusterSharding sharding;
  private final String ownRegion;
  private final Set<String> proxies = ConcurrentHashMap.newKeySet();

  private ReplicaSharding(ClusterSharding sharding, String ownRegion) {
    this.sharding = sharding;
    this.ownRegion = ownRegion;
  }

  /** Starts this rig's shard region for replicas, which open the runtimes {@code runtimes} gives. */
  public static ReplicaSharding start(
      ActorSystem<?> system, PartitionRuntimes runtimes, ReplicaSettings settings, ReplicaMoves moves) {
    return start(system, runtimes, settings, moves, OpenTelemetry.noop());
  }

  /** As {@link #start(ActorSystem, PartitionRuntimes, ReplicaSettings, ReplicaMoves)}, traced runs reported to {@code telemetry}. */
  public static ReplicaSharding start(ActorSystem<?> system, PartitionRuntimes runtimes, ReplicaSettings settings,
      ReplicaMoves moves, OpenTelemetry telemetry) {
    Tracer tracer = telemetry.getTracer(PartitionReplica.TRACER);
    String ownRegion = Cluster.get(system).selfMember().dataCenter();
    // The replicator must run on every rig, not only where a map is first touched: the external
    // allocation, deployments, placement and replica maps all spread through it.
    DistributedData.get(system);
    ActorRef<ReplicaHost.Command> host =
        system.systemActorOf(Behaviors.supervise(ReplicaHost.create(moves.warmInterval())).onFailure(SupervisorStrategy.restart()),
            "rigserve-replica-host", Props.empty());
    ClusterShardingSettings shardingSettings = ClusterShardingSettings.create(system)
        .withNoPassivationStrategy()
        .withTuningParameters(ClusterShardingSettings.create(system).tuningParameters()
            .withRebalanceInterval(moves.rebalanceInterval())
            .withHandOffTimeout(moves.handoffTimeout()));
    ClusterSharding sharding = ClusterSharding.get(system);
    ActorRef<ShardingEnvelope<PartitionReplica.Command>> region = sharding.init(
        Entity.of(PartitionReplica.TYPE_KEY,
                ctx -> PartitionReplica.create(ReplicaId.parse(ctx.getEntityId()), runtimes, settings, host, tracer))
            .withMessageExtractor(new OneShardPerReplica())
            .withAllocationStrategy(ExternalShardAllocationStrategy.create(
                system, RegionKeys.allocation(ownRegion), ALLOCATION_TIMEOUT))
            .withSettings(shardingSettings));
    host.tell(new ReplicaHost.ShardingStarted(region));
    return new ReplicaSharding(sharding, ownRegion);
  }

  /** The replica in this rig's region. */
  public EntityRef<PartitionReplica.Command> refFor(ReplicaId id) {
    return sharding.entityRefFor(PartitionReplica.TYPE_KEY, id.entityId());
  }

  /**
   * The replica in {@code region}, through a sharding proxy to that region (started on first
   * use). A proxy to a region that is down buffers and asks time out: check reachability first.
   */
  public EntityRef<PartitionReplica.Command> refFor(ReplicaId id, String region) {
    if (region.equals(ownRegion)) {
      return refFor(id);
    }
    if (!proxies.contains(region)) {
      startProxy(region);
    }
    return sharding.entityRefFor(PartitionReplica.TYPE_KEY, id.entityId(), region);
  }

  private synchronized void startProxy(String region) {
    if (proxies.contains(region)) return;
    // The proxy must cut shards as the region does (one per replica), or it asks for the wrong shard.
    sharding.init(Entity.of(PartitionReplica.TYPE_KEY, ctx -> Behaviors.<PartitionReplica.Command>empty())
        .withMessageExtractor(new OneShardPerReplica())
        .withDataCenter(region));
    proxies.add(region);
  }

  public String ownRegion() {
    return ownRegion;
  }
}
