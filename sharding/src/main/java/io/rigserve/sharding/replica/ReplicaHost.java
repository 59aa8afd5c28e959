package io.rigserve.sharding.replica;

import io.rigserve.cluster.serialization.LocalMessage;
import io.rigserve.sharding.ddata.LocalMapWrite;
import io.rigserve.sharding.drain.RigDrains;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The replicas of one rig. Watches its region's placement and starts every replica placed on
 * this rig through Cluster Sharding (a {@link PartitionReplica.Warm}), again each interval until
 * it runs here: a replica moving from a crashed or busy rig cannot start before sharding lets go
 * of it there. Publishes the state of the replicas this rig runs or awaits in its region's
 * replica map, and stops replicas whose deployment went away (the region neither places them nor
 * lists them as unplaced any more).
 *
 * <p>Each placed replica is reported by the rig it is placed on only, so two rigs never fight
 * over one entry; replicas running outside any placement (started by a request) are reported by
 * the rig that runs them. A draining rig ({@link RigDrains}) stops those: nothing may start anew
 * on it once placement has moved a replica away (a late request through sharding would).
 */
public final class ReplicaHost extends AbstractBehavior<ReplicaHost.Command> {

  public sealed interface Command extends LocalMessage
      permits ShardingStarted, ReplicaChanged, ReplicaStopped, PlacementChanged, Tick {}

  /** This rig's shard region is up: warm-ups can be sent. */
  record ShardingStarted(ActorRef<ShardingEnvelope<PartitionReplica.Command>> shards) implements Command {}

  /** A replica running on this rig changed state. */
  record ReplicaChanged(ReplicaId id, ReplicaState state, String reason, ActorRef<PartitionReplica.Command> replica)
      implements Command {}

  record ReplicaStopped(ReplicaId id, ActorRef<PartitionReplica.Command> replica) implements Command {}

  record PlacementChanged(Replicator.SubscribeResponse<LWWMap<String, String>> response) implements Command {}

  record Tick() implements Command {}

  private record Running(ReplicaState state, String reason, ActorRef<PartitionReplica.Command> replica) {}

  static Behavior<Command> create(Duration warmInterval) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new ReplicaHost(ctx, timers, warmInterval)));
  }

  private final String self;
  private final UniqueAddress selfUnique;
  private final SelfUniqueAddress selfNode;
  private final ActorRef<Replicator.Command> replicator;
  private final Key<LWWMap<String, String>> placementKey;
  private final Key<LWWMap<String, String>> unplacedKey;
  private final Key<LWWMap<String, ReplicaStatus>> statusKey;
  private ActorRef<ShardingEnvelope<PartitionReplica.Command>> shards;
  private Map<String, String> placement = Map.of();
  private Map<String, String> unplaced = Map.of();
  private Set<ReplicaId> placedHere = Set.of();
  private final Map<ReplicaId, Running> running = new HashMap<>();
  private Map<String, ReplicaStatus> published = Map.of();

  private ReplicaHost(ActorContext<Command> ctx, TimerScheduler<Command> timers, Duration warmInterval) {
    super(ctx);
    ctx.setLoggerName(ReplicaHost.class);
    Cluster cluster = Cluster.get(ctx.getSystem());
    String region = cluster.selfMember().dataCenter();
    this.self = cluster.selfMember().address().toString();
    this.selfUnique = cluster.selfMember().uniqueAddress();
    DistributedData ddata = DistributedData.get(ctx.getSystem());
    this.selfNode = ddata.selfUniqueAddress();
    this.replicator = ddata.replicator();
    this.placementKey = RegionKeys.placement(region);
    this.unplacedKey = RegionKeys.unplaced(region);
    this.statusKey = RegionKeys.replicaStatus(region);
    ReplicatorMessageAdapter<Command, LWWMap<String, String>> maps =
        new ReplicatorMessageAdapter<>(ctx, replicator, Duration.ofSeconds(5));
    // Both keys through one adapter function: it is registered per message class, not per key.
    maps.subscribe(placementKey, PlacementChanged::new);
    maps.subscribe(unplacedKey, PlacementChanged::new);
    timers.startTimerWithFixedDelay(new Tick(), warmInterval);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ShardingStarted.class, started -> {
          shards = started.shards();
          warmMissing();
          return this;
        })
        .onMessage(PlacementChanged.class, this::onPlacement)
        .onMessage(ReplicaChanged.class, this::onReplicaChanged)
        .onMessage(ReplicaStopped.class, this::onReplicaStopped)
        .onMessage(Tick.class, tick -> {
          warmMissing();
          releaseUnplacedWhileDraining();
          return this;
        })
        .build();
  }

  private Behavior<Command> onPlacement(PlacementChanged changed) {
    if (!(changed.response() instanceof Replicator.Changed<LWWMap<String, String>> c)) {
      return this;
    }
    Set<String> knownBefore = known();
    if (c.key().equals(placementKey)) {
      placement = c.get(placementKey).getEntries();
    } else if (c.key().equals(unplacedKey)) {
      unplaced = c.get(unplacedKey).getEntries();
    }
    Set<ReplicaId> here = new HashSet<>();
    placement.forEach((entityId, address) -> {
      if (address.equals(self)) here.add(ReplicaId.parse(entityId));
    });
    // Replicas the region knew (placed or not) and does not any more: their deployment went away.
    // One merely unplaced keeps running where it is: stopping it would not free a rig it needs.
    Set<String> knownNow = known();
    for (Map.Entry<ReplicaId, Running> r : running.entrySet()) {
      String entityId = r.getKey().entityId();
      if (knownBefore.contains(entityId) && !knownNow.contains(entityId)) {
        r.getValue().replica().tell(new PartitionReplica.Release());
      }
    }
    if (!here.equals(placedHere)) {
      getContext().getLog().debug("{} replicas placed on this rig", here.size());
    }
    placedHere = Set.copyOf(here);
    warmMissing();
    publish();
    return this;
  }

  /** Entity ids the region's controller knows of: placed or unplaced. */
  private Set<String> known() {
    Set<String> ids = new HashSet<>(placement.keySet());
    ids.addAll(unplaced.keySet());
    return ids;
  }

  private Behavior<Command> onReplicaChanged(ReplicaChanged changed) {
    Running previous = running.put(changed.id(), new Running(changed.state(), changed.reason(), changed.replica()));
    if (previous == null || !previous.replica().equals(changed.replica())) {
      getContext().watchWith(changed.replica(), new ReplicaStopped(changed.id(), changed.replica()));
    }
    publish();
    return this;
  }

  private Behavior<Command> onReplicaStopped(ReplicaStopped stopped) {
    Running current = running.get(stopped.id());
    if (current != null && current.replica().equals(stopped.replica())) {
      running.remove(stopped.id());
      publish();
    }
    return this;
  }

  /** On a draining rig, stops the replicas running here that its region does not place here. */
  private void releaseUnplacedWhileDraining() {
    if (!RigDrains.get(getContext().getSystem()).draining(selfUnique)) return;
    running.forEach((id, r) -> {
      if (!placedHere.contains(id)) r.replica().tell(new PartitionReplica.Release());
    });
  }

  /** Starts (through sharding) every replica placed here that does not run here yet. */
  private void warmMissing() {
    if (shards == null) return;
    for (ReplicaId id : placedHere) {
      if (!running.containsKey(id)) {
        shards.tell(new ShardingEnvelope<>(id.entityId(), new PartitionReplica.Warm()));
      }
    }
  }

  /** Writes what changed in this rig's entries of the region's replica map. */
  private void publish() {
    Map<String, ReplicaStatus> desired = new HashMap<>();
    for (ReplicaId id : placedHere) {
      Running r = running.get(id);
      desired.put(id.entityId(), r != null
          ? new ReplicaStatus(self, r.state(), r.reason())
          : new ReplicaStatus(self, ReplicaState.PLACING, "starting on this rig"));
    }
    running.forEach((id, r) -> {
      if (!placement.containsKey(id.entityId())) {
        desired.put(id.entityId(), new ReplicaStatus(self, r.state(), r.reason()));
      }
    });
    Map<String, ReplicaStatus> put = new HashMap<>();
    desired.forEach((entityId, status) -> {
      if (!status.equals(published.get(entityId))) put.put(entityId, status);
    });
    List<String> drop = published.keySet().stream().filter(k -> !desired.containsKey(k)).toList();
    if (put.isEmpty() && drop.isEmpty()) return;
    String me = self;
    replicator.tell(LocalMapWrite.update(statusKey, selfNode, getContext().getSystem().ignoreRef(), (existing, write) -> {
      put.forEach(write::put);
      for (String entityId : drop) {
        ReplicaStatus there = existing.get(entityId);
        // Another rig may have taken the replica over since: its entry stays.
        if (there != null && Objects.equals(there.address(), me)) write.remove(entityId);
      }
    }));
    published = Map.copyOf(desired);
  }
}
