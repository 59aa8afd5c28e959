package io.rigserve.sharding.replica;

import io.rigserve.cluster.serialization.LocalMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Keeps a {@link ReplicaDirectory} current: learns the regions from membership, follows each
 * region's placement, unplaced and replica maps, and rebuilds the snapshot on every change.
 */
final class DirectoryFeed extends AbstractBehavior<DirectoryFeed.Command> {

  sealed interface Command extends LocalMessage permits MembershipChanged, DataChanged {}

  record MembershipChanged(ClusterEvent.MemberEvent event) implements Command {}

  record DataChanged(Replicator.SubscribeResponse<?> response) implements Command {}

  private record RegionMaps(
      Map<String, String> placement, Map<String, String> unplaced, Map<String, ReplicaStatus> statuses) {
    static final RegionMaps EMPTY = new RegionMaps(Map.of(), Map.of(), Map.of());
  }

  static Behavior<Command> create(ReplicaDirectory directory) {
    return Behaviors.setup(ctx -> new DirectoryFeed(ctx, directory));
  }

  private final ReplicaDirectory directory;
  private final ReplicatorMessageAdapter<Command, LWWMap<String, String>> placementMaps;
  private final ReplicatorMessageAdapter<Command, LWWMap<String, ReplicaStatus>> statusMaps;
  private final Map<Address, String> regionOf = new HashMap<>();
  private final Set<String> followed = new HashSet<>();
  private final Map<String, RegionMaps> maps = new HashMap<>();

  private DirectoryFeed(ActorContext<Command> ctx, ReplicaDirectory directory) {
    super(ctx);
    this.directory = directory;
    ActorRef<Replicator.Command> replicator = DistributedData.get(ctx.getSystem()).replicator();
    // Both adapt every key with DataChanged::new: the adapter function is kept per message
    // class, so each replaces the other's, and they must do the same.
    this.placementMaps = new ReplicatorMessageAdapter<>(ctx, replicator, Duration.ofSeconds(5));
    this.statusMaps = new ReplicatorMessageAdapter<>(ctx, replicator, Duration.ofSeconds(5));
    Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
        ctx.messageAdapter(ClusterEvent.MemberEvent.class, MembershipChanged::new), ClusterEvent.MemberEvent.class));
    follow(Cluster.get(ctx.getSystem()).selfMember().dataCenter());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(MembershipChanged.class, this::onMembership)
        .onMessage(DataChanged.class, this::onData)
        .build();
  }

  private Behavior<Command> onMembership(MembershipChanged changed) {
    Member member = changed.event().member();
    if (changed.event() instanceof ClusterEvent.MemberRemoved) {
      regionOf.remove(member.address());
    } else {
      regionOf.put(member.address(), member.dataCenter());
      follow(member.dataCenter());
    }
    publish();
    return this;
  }

  private void follow(String region) {
    if (followed.add(region)) {
      placementMaps.subscribe(RegionKeys.placement(region), DataChanged::new);
      placementMaps.subscribe(RegionKeys.unplaced(region), DataChanged::new);
      statusMaps.subscribe(RegionKeys.replicaStatus(region), DataChanged::new);
    }
  }

  @SuppressWarnings("unchecked")
  private Behavior<Command> onData(DataChanged changed) {
    if (!(changed.response() instanceof Replicator.Changed<?> c)) {
      return this;
    }
    for (String region : followed) {
      RegionMaps m = maps.getOrDefault(region, RegionMaps.EMPTY);
      if (c.key().equals(RegionKeys.placement(region))) {
        m = new RegionMaps(((LWWMap<String, String>) c.dataValue()).getEntries(), m.unplaced(), m.statuses());
      } else if (c.key().equals(RegionKeys.unplaced(region))) {
        m = new RegionMaps(m.placement(), ((LWWMap<String, String>) c.dataValue()).getEntries(), m.statuses());
      } else if (c.key().equals(RegionKeys.replicaStatus(region))) {
        m = new RegionMaps(m.placement(), m.unplaced(), ((LWWMap<String, ReplicaStatus>) c.dataValue()).getEntries());
      } else {
        continue;
      }
      maps.put(region, m);
    }
    publish();
    return this;
  }

  private void publish() {
    List<ReplicaLocation> all = new ArrayList<>();
    for (String region : new TreeSet<>(regionOf.values())) {
      all.addAll(locations(region, maps.getOrDefault(region, RegionMaps.EMPTY)));
    }
    directory.update(new DirectorySnapshot(all));
  }

  /** Placement says where a replica should be; the rig there says how it is doing. */
  private static List<ReplicaLocation> locations(String region, RegionMaps m) {
    List<ReplicaLocation> out = new ArrayList<>();
    m.placement().forEach((entityId, address) -> {
      ReplicaStatus status = m.statuses().get(entityId);
      ReplicaId id = ReplicaId.parse(entityId);
      if (status != null && status.address().equals(address)) {
        out.add(new ReplicaLocation(id, region, address, status.state(), status.reason()));
      } else {
        String why = status == null ? "placed, not started yet" : "moving here from " + status.address();
        out.add(new ReplicaLocation(id, region, address, ReplicaState.PLACING, why));
      }
    });
    m.unplaced().forEach((entityId, reason) -> {
      if (!m.placement().containsKey(entityId)) {
        out.add(new ReplicaLocation(ReplicaId.parse(entityId), region, "", ReplicaState.UNPLACED, reason));
      }
    });
    m.statuses().forEach((entityId, status) -> {
      if (!m.placement().containsKey(entityId) && !m.unplaced().containsKey(entityId)) {
        out.add(new ReplicaLocation(ReplicaId.parse(entityId), region, status.address(), status.state(), status.reason()));
      }
    });
    return out;
  }
}
