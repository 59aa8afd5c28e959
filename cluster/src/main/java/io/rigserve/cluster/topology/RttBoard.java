package io.rigserve.cluster.topology;

import io.rigserve.cluster.serialization.LocalMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;

/**
 * The RTT between every pair of regions, cluster-wide: each rig only measures from itself, so
 * every rig publishes what it measured to other regions in one Distributed Data map keyed by rig
 * address, and reads everyone's back as an {@link RttMatrix}. Each entry has one writer (its rig),
 * so writes are local and spread by gossip; a rig also drops the entries of rigs no longer members.
 * What other rigs publish is bounded: at most {@link #MAX_RIGS} entries of {@link #MAX_REGIONS}
 * regions, names of at most {@link #MAX_NAME} characters; anything beyond is ignored.
 */
public final class RttBoard implements Extension {

  public static final Key<LWWMap<String, RegionRtts>> KEY = LWWMapKey.create("region-rtts");
  static final int MAX_RIGS = 1000;
  static final int MAX_REGIONS = 64;
  static final int MAX_NAME = 100;

  private static final Id ID = new Id();

  private final ActorSystem<?> system;
  private final ActorRef<Replicator.Command> replicator;
  private final SelfUniqueAddress self;
  private volatile RttMatrix matrix = RttMatrix.EMPTY;

  private sealed interface Command extends LocalMessage permits Changed, Publish, Viewed, Written {}

  private record Changed(Replicator.SubscribeResponse<LWWMap<String, RegionRtts>> response) implements Command {}

  private record Publish() implements Command {}

  private record Viewed(TopologyView view) implements Command {}

  private record Written(Replicator.UpdateResponse<LWWMap<String, RegionRtts>> response) implements Command {}

  private RttBoard(ActorSystem<?> system) {
    this.system = system;
    DistributedData ddata = DistributedData.get(system);
    this.replicator = ddata.replicator();
    this.self = ddata.selfUniqueAddress();
    system.systemActorOf(watch(), "rigserve-rtt-board-watch", Props.empty());
  }

  public static RttBoard get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** The RTT between regions as every rig published it, as far as gossip has brought it here. */
  public RttMatrix matrix() {
    return matrix;
  }

  /** Starts publishing this rig's measurements from {@code topology} every {@code interval}; once per actor system. */
  public void publish(ActorRef<RegionTopology.Command> topology, Duration interval) {
    system.systemActorOf(
        Behaviors.supervise(publisher(topology, interval)).onFailure(SupervisorStrategy.restart()),
        "rigserve-rtt-board", Props.empty());
  }

  private Behavior<Command> publisher(ActorRef<RegionTopology.Command> topology, Duration interval) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Publish(), interval);
      ActorRef<TopologyView> viewed = ctx.messageAdapter(TopologyView.class, Viewed::new);
      ReplicatorMessageAdapter<Command, LWWMap<String, RegionRtts>> ddata =
          new ReplicatorMessageAdapter<>(ctx, replicator, Duration.ofSeconds(5));
      return Behaviors.receive(Command.class)
          .onMessage(Publish.class, p -> {
            topology.tell(new RegionTopology.GetTopology(viewed));
            return Behaviors.same();
          })
          .onMessage(Viewed.class, v -> {
            ddata.askUpdate(replyTo -> update(v.view(), replyTo), Written::new);
            return Behaviors.same();
          })
          .onMessage(Written.class, w -> Behaviors.same())
          .build();
    }));
  }

  /** Puts this rig's measured RTTs and removes the entries of rigs that are no longer members. */
  private Replicator.Update<LWWMap<String, RegionRtts>> update(
      TopologyView view, ActorRef<Replicator.UpdateResponse<LWWMap<String, RegionRtts>>> replyTo) {
    List<String> regions = new ArrayList<>();
    List<Double> millis = new ArrayList<>();
    for (RegionView region : view.regionViews().values()) {
      if (region.name().equals(view.selfRegion()) || regions.size() == MAX_REGIONS) continue;
      region.rtt().filter(rtt -> !rtt.isPrior()).ifPresent(rtt -> {
        regions.add(region.name());
        millis.add(rtt.millis());
      });
    }
    RegionRtts mine = new RegionRtts(view.selfRegion(), regions.toArray(String[]::new),
        millis.stream().mapToDouble(Double::doubleValue).toArray());
    Set<String> members = view.members().stream().map(m -> m.address().toString()).collect(Collectors.toSet());
    String me = view.self().toString();
    return new Replicator.Update<>(KEY, LWWMap.create(), Replicator.writeLocal(), replyTo, map -> {
      LWWMap<String, RegionRtts> next = map.put(self, me, mine);
      for (String rig : map.getEntries().keySet()) {
        if (!members.contains(rig) && !rig.equals(me)) next = next.remove(self, rig);
      }
      return next;
    });
  }

  private Behavior<Command> watch() {
    return Behaviors.setup(ctx -> {
      new ReplicatorMessageAdapter<Command, LWWMap<String, RegionRtts>>(ctx, replicator, Duration.ofSeconds(5))
          .subscribe(KEY, Changed::new);
      return Behaviors.receive(Command.class)
          .onMessage(Changed.class, c -> {
            if (c.response() instanceof Replicator.Changed<LWWMap<String, RegionRtts>> changed) {
              matrix = RttMatrix.of(bounded(changed.get(KEY).getEntries()));
            }
            return Behaviors.same();
          })
          .build();
    });
  }

  private static Map<String, RegionRtts> bounded(Map<String, RegionRtts> entries) {
    Map<String, RegionRtts> kept = new HashMap<>();
    for (Map.Entry<String, RegionRtts> e : entries.entrySet()) {
      if (kept.size() == MAX_RIGS) break;
      RegionRtts r = e.getValue();
      if (r.toRegions().length > MAX_REGIONS || r.region().length() > MAX_NAME) continue;
      boolean named = true;
      for (String region : r.toRegions()) named &= region != null && region.length() <= MAX_NAME;
      if (named) kept.put(e.getKey(), r);
    }
    return kept;
  }

  static final class Id extends ExtensionId<RttBoard> {
    @Override
    public RttBoard createExtension(ActorSystem<?> system) {
      return new RttBoard(system);
    }
  }
}
