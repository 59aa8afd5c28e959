package io.rigserve.cluster.topology;

import io.rigserve.cluster.serialization.LocalMessage;
import io.rigserve.cluster.node.ClusterSettings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Measures RTT from this rig to others with its own ping/pong messages and reports each sample
 * to {@link RegionTopology}, which keeps the averages.
 *
 * <p>Cost stays bounded as the cluster grows: every period it pings each rig of its own region
 * (few, and nearby), but only {@code remote-probes-per-region} rigs of each other region, taken in
 * turn, so a region of a hundred rigs costs the same two pings as a region of two.
 */
public final class RttProber extends AbstractBehavior<RttProber.Command> {

  public sealed interface Command extends LocalMessage permits Targets, Probe, PongReceived {}

  /** The rigs that may be probed now (every member but this rig); replaces the previous list. */
  public record Targets(List<Target> targets) implements Command {}

  public record Target(Address address, String region, ActorRef<RigPeer.Command> peer) {}

  record Probe() implements Command {}

  record PongReceived(RigPeer.Pong pong) implements Command {}

  private record Pending(Address rig, String region, long sentNanos) {}

  public static Behavior<Command> create(
      String selfRegion, ClusterSettings settings, ActorRef<RegionTopology.Command> topology) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new RttProber(ctx, timers, selfRegion, settings, topology)));
  }

  private final String selfRegion;
  private final ClusterSettings settings;
  private final ActorRef<RegionTopology.Command> topology;
  private final ActorRef<RigPeer.Pong> pongAdapter;
  private final Map<Long, Pending> pending = new HashMap<>();
  private final Map<String, Integer> turn = new HashMap<>();
  private List<Target> targets = List.of();
  // Starts from the clock so that a pong to a previous incarnation of this actor cannot match.
  private long nextSequence = System.nanoTime();

  private RttProber(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      String selfRegion,
      ClusterSettings settings,
      ActorRef<RegionTopology.Command> topology) {
    super(ctx);
    ctx.setLoggerName(RttProber.class);
    this.selfRegion = selfRegion;
    this.settings = settings;
    this.topology = topology;
    this.pongAdapter = ctx.messageAdapter(RigPeer.Pong.class, PongReceived::new);
    timers.startTimerWithFixedDelay(new Probe(), settings.probeInterval());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Targets.class, t -> {
          targets = List.copyOf(t.targets());
          return this;
        })
        .onMessage(Probe.class, p -> probe())
        .onMessage(PongReceived.class, this::onPong)
        .build();
  }

  private Behavior<Command> probe() {
    long now = System.nanoTime();
    forgetUnanswered(now);
    for (Target target : choose()) {
      long sequence = nextSequence++;
      pending.put(sequence, new Pending(target.address(), target.region(), now));
      target.peer().tell(new RigPeer.Ping(sequence, pongAdapter));
    }
    return this;
  }

  /** Every rig of this region; a few of each other region, rotating through them. */
  private List<Target> choose() {
    Map<String, List<Target>> byRegion = new TreeMap<>();
    for (Target t : targets) {
      byRegion.computeIfAbsent(t.region(), r -> new ArrayList<>()).add(t);
    }
    List<Target> chosen = new ArrayList<>();
    for (Map.Entry<String, List<Target>> e : byRegion.entrySet()) {
      List<Target> rigs = e.getValue();
      rigs.sort(Comparator.comparing(t -> t.address().toString()));
      if (e.getKey().equals(selfRegion) || rigs.size() <= settings.remoteProbesPerRegion()) {
        chosen.addAll(rigs);
        continue;
      }
      int start = turn.getOrDefault(e.getKey(), 0) % rigs.size();
      for (int i = 0; i < settings.remoteProbesPerRegion(); i++) {
        chosen.add(rigs.get((start + i) % rigs.size()));
      }
      turn.put(e.getKey(), start + settings.remoteProbesPerRegion());
    }
    return chosen;
  }

  private void forgetUnanswered(long now) {
    long timeout = settings.probeTimeout().toNanos();
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      if (now - it.next().sentNanos() > timeout) {
        it.remove();
      }
    }
  }

  private Behavior<Command> onPong(PongReceived received) {
    Pending p = pending.remove(received.pong().sequence());
    if (p != null) {
      long now = System.nanoTime();
      if (now - p.sentNanos() <= settings.probeTimeout().toNanos()) {
        double millis = (now - p.sentNanos()) / 1_000_000.0;
        topology.tell(new RegionTopology.RttSampled(p.rig(), p.region(), millis, now));
      }
    }
    return this;
  }
}
