package io.rigserve.sharding.placement;

import io.rigserve.cluster.quarantine.QuarantineRegistry;
import io.rigserve.cluster.serialization.LocalMessage;
import io.rigserve.cluster.topology.RegionTopology;
import io.rigserve.cluster.topology.RigIdentity;
import io.rigserve.cluster.topology.RigStatus;
import io.rigserve.cluster.topology.RigView;
import io.rigserve.cluster.topology.TopologyView;
import io.rigserve.sharding.ddata.LocalMapWrite;
import io.rigserve.sharding.drain.RigDrains;
import io.rigserve.sharding.replica.RegionKeys;
import io.rigserve.sharding.replica.ReplicaId;
import io.rigserve.sharding.replica.ReplicaState;
import io.rigserve.sharding.replica.ReplicaStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.ReplicatedData;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Places one region's replicas on its rigs: a cluster singleton, of which multi-data-center
 * Pekko runs one per region, on the region's oldest rig (where the region's sharding coordinator
 * also runs, so the allocation it writes is read on the same rig).
 *
 * <p>Each round (every {@code interval}, and at once when the deployments or the region's usable
 * rigs change) it runs the {@link PlacementPolicy} over the deployments and the region's Up and
 * reachable rigs that are not draining ({@link RigDrains}; their replicas are replaced
 * make-before-break), keeping the previous assignment where the rules allow; only timed rounds move
 * replicas to even out load. A changed result goes to Distributed Data (the region's placement
 * and unplaced maps, read by every rig) and to Cluster Sharding's external allocation ({@link
 * ReplicaAllocation}), which moves the replicas. It also drops replica map entries of rigs that
 * left the region, which can no longer remove their own.
 */
public final class PlacementController extends AbstractBehavior<PlacementController.Command> {

  public sealed interface Command extends LocalMessage
      permits TopologyChanged, DeploymentsChanged, DataChanged, Loaded, Round, AllocationNotWritten {}

  record TopologyChanged(TopologyView view) implements Command {}

  record DeploymentsChanged(DeploymentRegistry.Deployments deployments) implements Command {}

  record DataChanged(Replicator.SubscribeResponse<LWWMap<String, ReplicaStatus>> response) implements Command {}

  /** What this rig held of a map when the controller started; {@code response} null when the read failed. */
  record Loaded(Key<?> key, Replicator.GetResponse<?> response) implements Command {}

  record Round() implements Command {}

  record AllocationNotWritten(Set<String> entityIds, Throwable cause) implements Command {}

  /**
   * Starts the singleton of this rig's region (every rig calls it; the oldest runs it).
   *
   * @param topology this rig's {@link RegionTopology}: the singleton asks the one of the rig it runs on
   */
  public static ActorRef<Command> init(
      ActorSystem<?> system, ActorRef<RegionTopology.Command> topology, PlacementSettings settings) {
    Behavior<Command> controller = Behaviors.supervise(create(topology, settings))
        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    return ClusterSingleton.get(system).init(SingletonActor.of(controller, "rigserve-placement"));
  }

  static Behavior<Command> create(ActorRef<RegionTopology.Command> topology, PlacementSettings settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new PlacementController(ctx, timers, topology, settings)));
  }

  private final String region;
  private final PlacementPolicy policy;
  private final PlacementPolicy placeOnly;
  private final ActorRef<Replicator.Command> replicator;
  private final SelfUniqueAddress selfNode;
  private final ReplicaAllocation allocation;
  private final Key<LWWMap<String, String>> placementKey;
  private final Key<LWWMap<String, String>> unplacedKey;
  private final Key<LWWMap<String, ReplicaStatus>> statusKey;
  private final QuarantineRegistry quarantine;

  private SortedMap<String, Deployment> deployments = new TreeMap<>();
  private TopologyView view;
  private List<RigCapacity> rigs = List.of();
  private Map<ReplicaId, String> assigned = Map.of();
  private Map<ReplicaId, String> unplaced = Map.of();
  private boolean written;
  private final Set<Key<?>> loading = new HashSet<>();
  private Map<String, ReplicaStatus> statuses = Map.of();

  private PlacementController(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ActorRef<RegionTopology.Command> topology,
      PlacementSettings settings) {
    super(ctx);
    ctx.setLoggerName(PlacementController.class);
    this.region = Cluster.get(ctx.getSystem()).selfMember().dataCenter();
    this.policy = settings.policy();
    this.placeOnly = new PlacementPolicy(0, settings.imbalance());
    DistributedData ddata = DistributedData.get(ctx.getSystem());
    this.replicator = ddata.replicator();
    this.selfNode = ddata.selfUniqueAddress();
    this.allocation = new ReplicaAllocation(
        ExternalShardAllocation.get(ctx.getSystem()).getClient(RegionKeys.allocation(region)));
    this.placementKey = RegionKeys.placement(region);
    this.unplacedKey = RegionKeys.unplaced(region);
    this.statusKey = RegionKeys.replicaStatus(region);
    this.quarantine = QuarantineRegistry.get(ctx.getSystem());

    new ReplicatorMessageAdapter<Command, LWWMap<String, ReplicaStatus>>(ctx, replicator, Duration.ofSeconds(5))
        .subscribe(statusKey, DataChanged::new);
    // Rounds wait for what this rig already holds: a controller taking over from a rig that left
    // must start from the placement in force and the deployments, not from nothing.
    load(DeploymentRegistry.KEY);
    load(placementKey);
    DeploymentRegistry.get(ctx.getSystem())
        .subscribe(ctx.messageAdapter(DeploymentRegistry.Deployments.class, DeploymentsChanged::new));
    topology.tell(new RegionTopology.SubscribeTopology(ctx.messageAdapter(TopologyView.class, TopologyChanged::new)));
    timers.startTimerWithFixedDelay(new Round(), settings.interval());
    ctx.getLog().info("Placement controller of region {} started", region);
  }

  // A plain ask, not ReplicatorMessageAdapter.askGet: that fails the actor when the local
  // replicator is slow to answer, where a round should just ask again.
  @SuppressWarnings({"unchecked", "rawtypes"})
  private <D extends ReplicatedData> void load(Key<D> key) {
    loading.add(key);
    getContext().ask(Replicator.GetResponse.class, replicator, Duration.ofSeconds(5),
        replyTo -> new Replicator.Get<>(key, Replicator.readLocal(), (ActorRef) replyTo),
        (response, error) -> new Loaded(key, response));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(TopologyChanged.class, this::onTopology)
        .onMessage(DeploymentsChanged.class, d -> {
          deployments = d.deployments().byKey();
          round(placeOnly);
          return this;
        })
        .onMessage(DataChanged.class, this::onData)
        .onMessage(Loaded.class, this::onLoaded)
        .onMessage(Round.class, r -> {
          round(policy);
          return this;
        })
        .onMessage(AllocationNotWritten.class, failed -> {
          getContext().getLog().warn("Shard locations of {} replicas in {} not written, retrying: {}",
              failed.entityIds().size(), region, failed.cause().getMessage());
          allocation.forget(failed.entityIds());
          return this;
        })
        .build();
  }

  private Behavior<Command> onTopology(TopologyChanged changed) {
    view = changed.view();
    if (!usableRigs(view).equals(rigs)) {
      round(placeOnly); // a rig left or joined: re-place what it lost now, not at the next tick
    }
    return this;
  }

  private Behavior<Command> onData(DataChanged changed) {
    if (changed.response() instanceof Replicator.Changed<LWWMap<String, ReplicaStatus>> c) {
      statuses = Map.copyOf(c.dataValue().getEntries());
    }
    return this;
  }

  @SuppressWarnings("unchecked")
  private Behavior<Command> onLoaded(Loaded loaded) {
    if (loaded.response() == null) {
      load(loaded.key()); // the local replicator did not answer in time: ask again
      return this;
    }
    if (loaded.response() instanceof Replicator.GetSuccess<?> found) {
      if (loaded.key().equals(placementKey)) {
        Map<ReplicaId, String> previous = new HashMap<>();
        ((LWWMap<String, String>) found.dataValue()).getEntries().forEach((entityId, address) -> {
          previous.put(ReplicaId.parse(entityId), address);
          allocation.assume(entityId, address);
        });
        assigned = previous;
      } else if (loaded.key().equals(DeploymentRegistry.KEY) && deployments.isEmpty()) {
        deployments = DeploymentRegistry.get(getContext().getSystem()).usable((LWWMap<String, Deployment>) found.dataValue());
      }
    }
    loading.remove(loaded.key());
    round(placeOnly);
    return this;
  }

  /**
   * One placement round. Rounds on events only place what has no rig; moves that even out load
   * wait for the timer, so rebalancing stays at {@code max-moves-per-round} per interval.
   */
  private void round(PlacementPolicy rules) {
    if (view == null || !loading.isEmpty()) {
      return;
    }
    rigs = usableRigs(view);
    Placement next = rules.place(region, List.copyOf(deployments.values()), rigs, assigned, drainingRigs(view), readyAt());
    if (!written || !next.assigned().equals(assigned) || !next.unplaced().equals(unplaced)) {
      logChanges(next);
      write(placementKey, toEntityIds(next.assigned()));
      write(unplacedKey, toEntityIds(next.unplaced()));
      assigned = next.assigned();
      unplaced = next.unplaced();
      written = true;
    }
    allocate();
    forgetRigsThatLeft();
  }

  /** Up and reachable rigs of this region whose identity (zone, budget) is known and that are not draining. */
  private List<RigCapacity> usableRigs(TopologyView topology) {
    List<RigCapacity> usable = new ArrayList<>();
    for (RigView rig : topology.membersIn(region)) {
      if (rig.status() == RigStatus.UP && rig.reachable() && rig.identity().isPresent() && notQuarantined(rig)
          && notDraining(rig)) {
        RigIdentity identity = rig.identity().get();
        usable.add(new RigCapacity(rig.address().toString(), identity.zone(), identity.modelMemoryBytes(),
            rig.ownerOrAddress()));
      }
    }
    return List.copyOf(usable);
  }

  private boolean upAndReachable(String address) {
    return view.membersIn(region).stream().anyMatch(rig ->
        rig.address().toString().equals(address) && rig.status() == RigStatus.UP && rig.reachable());
  }

  /** A quarantined rig hosts nothing: its replicas move to rigs whose answers are trusted. */
  private boolean notQuarantined(RigView rig) {
    return !quarantine.isQuarantined(rig.address().toString());
  }

  /** A draining rig (this incarnation of it) takes no replicas; the policy replaces those it holds. */
  private boolean notDraining(RigView rig) {
    for (Member m : Cluster.get(getContext().getSystem()).state().getMembers()) {
      if (m.address().equals(rig.address())) return !RigDrains.get(getContext().getSystem()).draining(m.uniqueAddress());
    }
    return true;
  }

  /** Addresses of this region's Up and reachable rigs that are draining: they serve until replaced. */
  private Set<String> drainingRigs(TopologyView topology) {
    Set<String> draining = new HashSet<>();
    for (RigView rig : topology.membersIn(region)) {
      if (rig.status() == RigStatus.UP && rig.reachable() && !notDraining(rig)) draining.add(rig.address().toString());
    }
    return draining;
  }

  /** The rig each of the region's replicas reports itself ready on. */
  private Map<ReplicaId, String> readyAt() {
    Map<ReplicaId, String> ready = new HashMap<>();
    statuses.forEach((entityId, status) -> {
      if (status.state() == ReplicaState.READY && ReplicaId.isValid(entityId)) ready.put(ReplicaId.parse(entityId), status.address());
    });
    return ready;
  }

  /** Makes the map under {@code key} equal {@code entries}, touching only what differs. */
  private void write(Key<LWWMap<String, String>> key, Map<String, String> entries) {
    replicator.tell(LocalMapWrite.update(key, selfNode, getContext().getSystem().ignoreRef(), (existing, write) -> {
      entries.forEach((entityId, address) -> {
        if (!address.equals(existing.get(entityId))) write.put(entityId, address);
      });
      existing.keySet().stream().filter(entityId -> !entries.containsKey(entityId)).forEach(write::remove);
    }));
  }

  /**
   * Tells Cluster Sharding where replicas belong; it moves them at its next rebalance. A draining
   * rig counts as live here: it hands its shards over like any rig that is Up.
   */
  private void allocate() {
    Set<String> usable = new HashSet<>();
    rigs.forEach(rig -> usable.add(rig.address()));
    // A quarantined rig is alive and hands its replicas off like any other: not a dead rig to wait out.
    quarantine.current().keySet().stream().filter(this::upAndReachable).forEach(usable::add);
    usable.addAll(drainingRigs(view));
    ActorRef<Command> self = getContext().getSelf();
    allocation.tell(assigned, usable, statuses).ifPresent(told -> told.written().whenComplete((done, error) -> {
      if (error != null) self.tell(new AllocationNotWritten(told.entityIds(), error));
    }));
  }

  /** Drops replica map entries of rigs no longer in the region: a crashed rig cannot remove its own. */
  private void forgetRigsThatLeft() {
    Set<String> members = new HashSet<>();
    view.membersIn(region).forEach(rig -> members.add(rig.address().toString()));
    Map<String, String> gone = new HashMap<>();
    statuses.forEach((entityId, status) -> {
      if (!members.contains(status.address())) gone.put(entityId, status.address());
    });
    if (gone.isEmpty()) return;
    replicator.tell(LocalMapWrite.update(statusKey, selfNode, getContext().getSystem().ignoreRef(), (existing, write) ->
        gone.forEach((entityId, address) -> {
          ReplicaStatus now = existing.get(entityId);
          if (now != null && now.address().equals(address)) write.remove(entityId);
        })));
    Map<String, ReplicaStatus> left = new HashMap<>(statuses);
    gone.keySet().forEach(left::remove);
    statuses = Map.copyOf(left);
  }

  private void logChanges(Placement next) {
    int moved = 0;
    for (Map.Entry<ReplicaId, String> e : next.assigned().entrySet()) {
      String before = assigned.get(e.getKey());
      if (before != null && !before.equals(e.getValue())) moved++;
    }
    getContext().getLog().info("Placement of {}: {} replicas on {} rigs ({} moved), {} unplaced",
        region, next.assigned().size(), rigs.size(), moved, next.unplaced().size());
    next.unplaced().forEach((id, why) -> {
      if (!why.equals(unplaced.get(id))) getContext().getLog().warn("{} not placed: {}", id, why);
    });
  }

  private static Map<String, String> toEntityIds(Map<ReplicaId, String> byReplica) {
    Map<String, String> byEntityId = new HashMap<>();
    byReplica.forEach((id, value) -> byEntityId.put(id.entityId(), value));
    return byEntityId;
  }
}
