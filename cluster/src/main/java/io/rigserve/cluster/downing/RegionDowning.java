package io.rigserve.cluster.downing;

import io.rigserve.cluster.serialization.LocalMessage;
import io.rigserve.cluster.node.ClusterSettings;
import io.rigserve.cluster.topology.RegionTopology;
import io.rigserve.cluster.topology.TopologyView;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;

/**
 * Downs the rigs of another region that stayed unreachable past {@code region-down-grace}, as
 * {@link RegionDowningRule} allows. Pekko's Split Brain Resolver never downs rigs of another data
 * center, so without this a dead region's rigs stay members forever and every cluster-wide
 * majority (Distributed Data, placement) that counts them stalls.
 */
public final class RegionDowning extends AbstractBehavior<RegionDowning.Command> {

  public sealed interface Command extends LocalMessage permits Check, ViewReceived {}

  record Check() implements Command {}

  record ViewReceived(TopologyView view) implements Command {}

  public static Behavior<Command> create(
      ActorRef<RegionTopology.Command> topology, ClusterSettings settings) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new RegionDowning(ctx, timers, topology, settings)));
  }

  private final ActorRef<RegionTopology.Command> topology;
  private final Duration grace;
  private final ActorRef<TopologyView> viewAdapter;
  private final Map<Address, Long> downSent = new HashMap<>();
  private RegionDowningRule.Verdict lastVerdict = new RegionDowningRule.AllReachable();

  private RegionDowning(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ActorRef<RegionTopology.Command> topology,
      ClusterSettings settings) {
    super(ctx);
    ctx.setLoggerName(RegionDowning.class);
    this.topology = topology;
    this.grace = settings.regionDownGrace();
    this.viewAdapter = ctx.messageAdapter(TopologyView.class, ViewReceived::new);
    // Checked at a tenth of the grace (at most every second): a region is downed soon after it ends.
    Duration tenth = grace.dividedBy(10);
    Duration second = Duration.ofSeconds(1);
    timers.startTimerWithFixedDelay(new Check(), tenth.compareTo(second) < 0 ? tenth : second);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Check.class, c -> {
          topology.tell(new RegionTopology.GetTopology(viewAdapter));
          return this;
        })
        .onMessage(ViewReceived.class, v -> decide(v.view()))
        .build();
  }

  private Behavior<Command> decide(TopologyView view) {
    RegionDowningRule.Verdict verdict = RegionDowningRule.decide(view, grace);
    if (verdict instanceof RegionDowningRule.DownRegions down) {
      down.rigs().forEach(this::down);
    } else if (!sameKind(verdict, lastVerdict)) {
      report(verdict);
    }
    lastVerdict = verdict;
    return this;
  }

  private void down(String region, List<Address> rigs) {
    long now = System.nanoTime();
    for (Address rig : rigs) {
      Long sent = downSent.get(rig);
      // Down is idempotent; repeated once per grace only in case the first one was lost.
      if (sent == null || now - sent > grace.toNanos()) {
        if (sent == null) {
          getContext().getLog().warn(
              "Region {} unreachable for longer than {} ms and silent: downing its rig {}",
              region, grace.toMillis(), rig);
        }
        Cluster.get(getContext().getSystem()).manager().tell(new Down(rig));
        downSent.put(rig, now);
      }
    }
    downSent.keySet().removeIf(a -> now - downSent.get(a) > 10 * grace.toNanos());
  }

  private void report(RegionDowningRule.Verdict verdict) {
    if (verdict instanceof RegionDowningRule.NoMajority n) {
      getContext().getLog().warn(
          "Regions {} unreachable; this side reaches only {} of {} regions: no region is downed "
              + "from here (a minority never downs the others)",
          n.unreachable(), n.reachable(), n.regions());
    } else if (verdict instanceof RegionDowningRule.Waiting w) {
      getContext().getLog().info(
          "Regions {} unreachable; they are downed if they stay so for {} ms", w.unreachable(), grace.toMillis());
    } else if (verdict instanceof RegionDowningRule.AllReachable) {
      getContext().getLog().info("No region is unreachable any more");
    }
  }

  private static boolean sameKind(RegionDowningRule.Verdict a, RegionDowningRule.Verdict b) {
    return a.getClass() == b.getClass();
  }
}
