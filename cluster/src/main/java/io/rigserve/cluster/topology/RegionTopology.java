package io.rigserve.cluster.topology;

import io.rigserve.cluster.serialization.LocalMessage;
import io.rigserve.cluster.node.ClusterSettings;
import io.rigserve.cluster.node.RigSettings;
import java.time.Duration;
import java.time.Instant;
import io.rigserve.cluster.owner.RigOwner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Knows every member's region, zone, coordinates, model-memory budget, status and reachability,
 * and the RTT this rig measures to each rig and region. Answers with immutable {@link
 * TopologyView}s.
 *
 * <p>Membership, reachability and region reachability come from cluster events, so changes show
 * within a gossip round. Identities are asked once per incarnation from each member's {@link
 * RigPeer}; RTT samples come from the {@link RttProber} child.
 */
public final class RegionTopology extends AbstractBehavior<RegionTopology.Command> {

  public sealed interface Command extends LocalMessage
      permits GetTopology, SubscribeTopology, ClusterChanged, IdentityReceived, IdentityMissing,
          RttSampled, Refresh, SubscriberTerminated {}

  public record GetTopology(ActorRef<TopologyView> replyTo) implements Command {}

  /** Sends the view now and again after every change; RTT-only changes at most once per probe period. */
  public record SubscribeTopology(ActorRef<TopologyView> subscriber) implements Command {}

  record ClusterChanged(ClusterEvent.ClusterDomainEvent event) implements Command {}

  record IdentityReceived(UniqueAddress rig, RigIdentity identity) implements Command {}

  record IdentityMissing(UniqueAddress rig) implements Command {}

  record RttSampled(Address rig, String region, double millis, long atNanos) implements Command {}

  record Refresh() implements Command {}

  record SubscriberTerminated(ActorRef<TopologyView> subscriber) implements Command {}

  public static Behavior<Command> create(RigSettings rig, ClusterSettings settings) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new RegionTopology(ctx, timers, rig, settings)));
  }

  private final ClusterSettings settings;
  private final String selfRegion;
  private final RigIdentity selfIdentity;
  private final UniqueAddress self;
  private final ActorRef<RttProber.Command> prober;

  private final Map<Address, Member> members = new TreeMap<>(Address.addressOrdering()::compare);
  private final Set<Address> unreachable = new HashSet<>();
  private final Map<String, Long> unreachableRegionsSince = new HashMap<>();
  private final Map<UniqueAddress, RigIdentity> identities = new HashMap<>();
  private final Set<UniqueAddress> identityAsked = new HashSet<>();
  private final Map<Address, ActorRef<RigPeer.Command>> peers = new HashMap<>();
  private final Set<ActorRef<TopologyView>> subscribers = new HashSet<>();
  private final RttTable rtt;
  private boolean rttChanged;

  private RegionTopology(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      RigSettings rig,
      ClusterSettings settings) {
    super(ctx);
    ctx.setLoggerName(RegionTopology.class);
    this.settings = settings;
    this.selfRegion = rig.region();
    this.selfIdentity = RigIdentity.of(rig);
    Cluster cluster = Cluster.get(ctx.getSystem());
    this.self = cluster.selfMember().uniqueAddress();
    this.rtt = new RttTable(settings.ewmaWeight());
    identities.put(self, selfIdentity);
    this.prober = ctx.spawn(RttProber.create(selfRegion, settings, ctx.getSelf()), "rtt-prober");
    ActorRef<ClusterEvent.ClusterDomainEvent> events =
        ctx.messageAdapter(ClusterEvent.ClusterDomainEvent.class, ClusterChanged::new);
    cluster.subscriptions().tell(Subscribe.create(events, ClusterEvent.ClusterDomainEvent.class));
    timers.startTimerWithFixedDelay(new Refresh(), settings.probeInterval());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetTopology.class, get -> {
          get.replyTo().tell(view());
          return this;
        })
        .onMessage(SubscribeTopology.class, this::onSubscribe)
        .onMessage(SubscriberTerminated.class, t -> {
          subscribers.remove(t.subscriber());
          return this;
        })
        .onMessage(ClusterChanged.class, c -> onClusterEvent(c.event()))
        .onMessage(IdentityReceived.class, this::onIdentity)
        .onMessage(IdentityMissing.class, m -> {
          identityAsked.remove(m.rig());
          return this;
        })
        .onMessage(RttSampled.class, this::onRttSample)
        .onMessage(Refresh.class, r -> onRefresh())
        .build();
  }

  private Behavior<Command> onSubscribe(SubscribeTopology s) {
    if (subscribers.add(s.subscriber())) {
      getContext().watchWith(s.subscriber(), new SubscriberTerminated(s.subscriber()));
    }
    s.subscriber().tell(view());
    return this;
  }

  private Behavior<Command> onClusterEvent(ClusterEvent.ClusterDomainEvent event) {
    if (event instanceof ClusterEvent.MemberRemoved removed) {
      onRemoved(removed.member());
    } else if (event instanceof ClusterEvent.MemberEvent changed) {
      onMember(changed.member());
    } else if (event instanceof ClusterEvent.UnreachableMember u) {
      unreachable.add(u.member().address());
    } else if (event instanceof ClusterEvent.ReachableMember r) {
      unreachable.remove(r.member().address());
    } else if (event instanceof ClusterEvent.UnreachableDataCenter dc) {
      unreachableRegionsSince.putIfAbsent(dc.dataCenter(), System.nanoTime());
    } else if (event instanceof ClusterEvent.ReachableDataCenter dc) {
      unreachableRegionsSince.remove(dc.dataCenter());
    } else {
      return this; // leader changes and other events do not change the view
    }
    publish();
    return this;
  }

  private void onMember(Member member) {
    Member previous = members.put(member.address(), member);
    if (previous != null && !previous.uniqueAddress().equals(member.uniqueAddress())) {
      // A new incarnation on the same address: nothing learned about the old one applies.
      forget(previous);
    }
    askIdentity(member);
    updateProbeTargets();
  }

  private void onRemoved(Member member) {
    Member known = members.get(member.address());
    if (known != null && known.uniqueAddress().equals(member.uniqueAddress())) {
      members.remove(member.address());
      forget(member);
      boolean regionEmpty =
          members.values().stream().noneMatch(m -> m.dataCenter().equals(member.dataCenter()));
      if (regionEmpty) {
        unreachableRegionsSince.remove(member.dataCenter());
        rtt.forgetRegion(member.dataCenter());
      }
      updateProbeTargets();
    }
  }

  private void forget(Member member) {
    unreachable.remove(member.address());
    identities.remove(member.uniqueAddress());
    identityAsked.remove(member.uniqueAddress());
    peers.remove(member.address());
    rtt.forget(member.address());
  }

  private void askIdentity(Member member) {
    UniqueAddress rig = member.uniqueAddress();
    if (identities.containsKey(rig) || identityAsked.contains(rig) || isOnItsWayOut(member)) {
      return;
    }
    identityAsked.add(rig);
    getContext()
        .ask(
            RigIdentity.class,
            peer(member.address()),
            settings.probeTimeout(),
            RigPeer.GetIdentity::new,
            (identity, failure) ->
                identity != null ? new IdentityReceived(rig, identity) : new IdentityMissing(rig));
  }

  private Behavior<Command> onIdentity(IdentityReceived received) {
    identityAsked.remove(received.rig());
    Member member = members.get(received.rig().address());
    if (member != null && member.uniqueAddress().equals(received.rig())) {
      identities.put(received.rig(), received.identity());
      publish();
    }
    return this;
  }

  private Behavior<Command> onRttSample(RttSampled sample) {
    Member member = members.get(sample.rig());
    if (member != null && member.dataCenter().equals(sample.region())) {
      rtt.record(sample.rig(), sample.region(), sample.millis(), sample.atNanos());
      rttChanged = true;
    }
    return this;
  }

  private Behavior<Command> onRefresh() {
    members.values().forEach(this::askIdentity); // retries rigs that did not answer yet
    if (rttChanged) {
      publish();
    }
    return this;
  }

  private void updateProbeTargets() {
    List<RttProber.Target> targets = new ArrayList<>();
    for (Member m : members.values()) {
      if (!m.uniqueAddress().equals(self) && !isOnItsWayOut(m)) {
        targets.add(new RttProber.Target(m.address(), m.dataCenter(), peer(m.address())));
      }
    }
    prober.tell(new RttProber.Targets(targets));
  }

  private ActorRef<RigPeer.Command> peer(Address address) {
    return peers.computeIfAbsent(address, a -> RigPeer.at(getContext().getSystem(), a));
  }

  private void publish() {
    rttChanged = false;
    if (subscribers.isEmpty()) {
      return;
    }
    TopologyView view = view();
    subscribers.forEach(s -> s.tell(view));
  }

  private static boolean isOnItsWayOut(Member m) {
    return RigStatus.of(m.status()).isLeavingForGood();
  }

  // ---- building the view ----

  private TopologyView view() {
    long now = System.nanoTime();
    List<RigView> rigs = new ArrayList<>();
    Map<String, List<Member>> byRegion = new TreeMap<>();
    for (Member m : members.values()) {
      byRegion.computeIfAbsent(m.dataCenter(), r -> new ArrayList<>()).add(m);
      rigs.add(
          new RigView(
              m.address(),
              m.dataCenter(),
              RigStatus.of(m.status()),
              isReachable(m),
              Optional.ofNullable(identities.get(m.uniqueAddress())),
              rigRtt(m, now),
              RigOwner.of(m).orElse("")));
    }
    TreeMap<String, RegionView> regions = new TreeMap<>();
    byRegion.forEach((name, regionMembers) -> regions.put(name, regionView(name, regionMembers, now)));
    return new TopologyView(self.address(), selfRegion, Instant.now(), rigs, regions);
  }

  private boolean isReachable(Member m) {
    if (m.uniqueAddress().equals(self)) {
      return true;
    }
    if (m.dataCenter().equals(selfRegion)) {
      return !unreachable.contains(m.address());
    }
    return !unreachableRegionsSince.containsKey(m.dataCenter());
  }

  private Optional<RttEstimate> rigRtt(Member m, long now) {
    if (m.uniqueAddress().equals(self)) {
      return Optional.empty();
    }
    Optional<RttEstimate> measured = rtt.rig(m.address(), now);
    if (measured.isPresent()) {
      return measured;
    }
    return Optional.ofNullable(identities.get(m.uniqueAddress()))
        .map(other -> RttEstimate.prior(RttPrior.millis(selfIdentity, other)));
  }

  private RegionView regionView(String name, List<Member> regionMembers, long now) {
    boolean own = name.equals(selfRegion);
    Long since = unreachableRegionsSince.get(name);
    Optional<Duration> unreachableFor =
        own || since == null ? Optional.empty() : Optional.of(Duration.ofNanos(now - since));
    Optional<RttEstimate> estimate = rtt.region(name, now);
    if (estimate.isEmpty()) {
      OptionalDouble prior =
          regionMembers.stream()
              .filter(m -> !m.uniqueAddress().equals(self))
              .map(m -> identities.get(m.uniqueAddress()))
              .filter(Objects::nonNull)
              .mapToDouble(other -> RttPrior.millis(selfIdentity, other))
              .average();
      estimate = prior.isPresent() ? Optional.of(RttEstimate.prior(prior.getAsDouble())) : Optional.empty();
    }
    Optional<Address> oldest =
        regionMembers.stream()
            .filter(m -> m.status() == MemberStatus.up())
            .filter(m -> !own || isReachable(m))
            .reduce((a, b) -> a.isOlderThan(b) ? a : b)
            .map(Member::address);
    return new RegionView(name, own || since == null, unreachableFor, estimate, oldest, regionMembers.size());
  }
}
