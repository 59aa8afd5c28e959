package io.rigserve.serving.routing;

import io.rigserve.cluster.topology.RigView;
import io.rigserve.cluster.topology.RttEstimate;
import io.rigserve.cluster.topology.TopologyView;
import io.rigserve.sharding.replica.ReplicaLocation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import org.apache.pekko.actor.AddressFromURIString;

/**
 * The routing policy: the replicas of a partition a stage may go to, best first, as a function of
 * the replicas' locations, this rig's topology view, the gateway's routing stats and a random
 * source; it sends nothing.
 *
 * <p>Candidates are the usable replicas (ready, on a reachable rig that is not quarantined) whose
 * circuit breaker lets stages through and whose rig has not gone silent ({@link RigSilence}); all
 * of them, when none is. Replicas in a region that has stopped
 * answering this rig's RTT probes are left out while others remain. Each gets an expected
 * completion time: the round trip to its rig plus the stages this gateway has in flight there,
 * plus one, times its EWMA service time. The first choice is the better of two distinct random
 * replicas of the gateway's own region (power of two choices spreads load without herding); the
 * rest follow by expected time, so failover goes to the next best, in this region or the nearest
 * other.
 */
public final class ReplicaRanking {

  /** Answers a replica must have given before its own EWMA bounds how long to wait for it. */
  static final int OBSERVED_ANSWERS = 5;
  /** Round trip assumed to a rig of another region while nothing is measured or known of it. */
  static final double UNKNOWN_REMOTE_RTT_MILLIS = 1_000.0;

  /**
   * One replica a stage may go to, as ranked.
   *
   * @param rttMillis the round trip to its rig, as the ranking estimated it
   * @param expectedMillis the expected completion time the ranking ordered by
   * @param partitionEwmaMillis the slowest EWMA observed among the partition's candidates; empty
   *     while none is observed
   */
  public record Candidate(ReplicaLocation replica, ReplicaStats stats, double rttMillis, double expectedMillis,
      OptionalDouble partitionEwmaMillis) {

    /**
     * The service time to expect of the replica: its own EWMA once it has answered often enough;
     * before, as slow as the slowest observed replica of its partition; empty when none is observed.
     */
    public OptionalDouble serviceMillis() {
      return observed(stats) ? OptionalDouble.of(stats.ewmaMillis()) : partitionEwmaMillis;
    }
  }

  private final String ownRegion;
  /** Silence (plus a round trip) after which a region counts as lost; see {@link #silentRegion}. */
  private final Duration silentAfter;

  /** Rig addresses whose answers checks showed wrong: no stage goes there. */
  private final Predicate<String> quarantined;

  public ReplicaRanking(String ownRegion, Duration silentAfter) {
    this(ownRegion, silentAfter, address -> false);
  }

  public ReplicaRanking(String ownRegion, Duration silentAfter, Predicate<String> quarantined) {
    this.ownRegion = ownRegion;
    this.silentAfter = silentAfter;
    this.quarantined = quarantined;
  }

  /** The candidates among {@code replicas} (those of one partition), best first. */
  public List<Candidate> rank(List<ReplicaLocation> replicas, Optional<TopologyView> view, RoutingStats stats,
      Instant now, RandomGenerator random) {
    List<ReplicaLocation> usable = replicas.stream()
        .filter(r -> usable(r, view) && !quarantined.test(r.address())).toList();
    Set<String> silent = usable.stream().map(ReplicaLocation::region).distinct()
        .filter(region -> silentRegion(view, region, now)).collect(Collectors.toSet());
    if (!silent.isEmpty()) {
      List<ReplicaLocation> heard = usable.stream().filter(r -> !silent.contains(r.region())).toList();
      if (!heard.isEmpty()) usable = heard;
    }
    List<ReplicaLocation> closed = usable.stream()
        .filter(r -> stats.of(r.region(), r.id()).available(() -> lastHeard(view, r))
            && stats.rig(r.address()).heard(System.nanoTime(), () -> lastHeard(view, r)))
        .toList();
    List<ReplicaLocation> chosen = closed.isEmpty() ? usable : closed;
    // A replica this gateway has not seen answer yet is expected to be as slow as the slowest one it has.
    OptionalDouble partitionEwma = chosen.stream().map(r -> stats.of(r.region(), r.id()))
        .filter(ReplicaRanking::observed).mapToDouble(ReplicaStats::ewmaMillis).max();
    List<Candidate> ranked = new ArrayList<>(chosen.size());
    for (ReplicaLocation r : chosen) {
      ReplicaStats s = stats.of(r.region(), r.id());
      double rtt = rttMillis(view, r);
      ranked.add(new Candidate(r, s, rtt, s.expectedMillis(rtt), partitionEwma));
    }
    ranked.sort(Comparator.comparingDouble(Candidate::expectedMillis));
    List<Candidate> own = ranked.stream().filter(c -> c.replica().region().equals(ownRegion)).toList();
    if (!own.isEmpty()) {
      Candidate first = own.size() == 1 ? own.get(0) : betterOfTwo(own, random);
      ranked.remove(first);
      ranked.add(0, first);
    }
    return ranked;
  }

  /** A replica routing may send to: ready, placed, and on a rig this rig's topology view holds reachable. */
  public static boolean usable(ReplicaLocation r, Optional<TopologyView> view) {
    if (!r.isReady() || r.address().isEmpty()) return false;
    return view.map(v -> v.isReachable(AddressFromURIString.parse(r.address()))).orElse(false);
  }

  /** Power of two choices: two distinct replicas drawn at random, the one expected sooner (the first drawn on a tie). */
  static Candidate betterOfTwo(List<Candidate> replicas, RandomGenerator random) {
    int i = random.nextInt(replicas.size());
    int j = random.nextInt(replicas.size() - 1);
    if (j >= i) j++;
    Candidate a = replicas.get(i);
    Candidate b = replicas.get(j);
    return a.expectedMillis() <= b.expectedMillis() ? a : b;
  }

  /**
   * Whether no rig of another region has answered this rig's RTT probes for {@code silentAfter}
   * plus a round trip: a region that died or was cut off, seen seconds before Pekko's
   * cross-region failure detector (with its WAN-sized pause) marks it unreachable.
   */
  private boolean silentRegion(Optional<TopologyView> view, String region, Instant now) {
    if (region.equals(ownRegion)) return false;
    return view.flatMap(v -> v.rttToRegion(region).flatMap(e -> e.sinceLastSample().map(age -> {
      Duration sinceView = Duration.between(v.takenAt(), now);
      Duration limit = silentAfter.plusMillis((long) e.millis());
      return age.plus(sinceView).compareTo(limit) > 0;
    }))).orElse(false);
  }

  /**
   * When the replica's rig last answered an RTT probe from this rig; when this rig does not
   * probe it (a few rigs per remote region are), when any rig of its region last did.
   */
  private static Optional<Instant> lastHeard(Optional<TopologyView> view, ReplicaLocation r) {
    return view.flatMap(v -> {
      Optional<RttEstimate> rig = v.member(AddressFromURIString.parse(r.address())).flatMap(RigView::rtt)
          .filter(e -> e.sinceLastSample().isPresent());
      Optional<RttEstimate> heard = rig.or(() -> v.rttToRegion(r.region()).filter(e -> e.sinceLastSample().isPresent()));
      return heard.map(e -> v.takenAt().minus(e.sinceLastSample().get()));
    });
  }

  /** Round trip to the replica's rig: measured to that rig, else to its region, else the prior. */
  private double rttMillis(Optional<TopologyView> view, ReplicaLocation r) {
    return view
        .flatMap(v -> v.rttTo(AddressFromURIString.parse(r.address())).or(() -> v.rttToRegion(r.region())))
        .map(RttEstimate::millis)
        .orElse(r.region().equals(ownRegion) ? 0.0 : UNKNOWN_REMOTE_RTT_MILLIS);
  }

  /** Answered often enough for its EWMA to bound how long to wait for it. */
  private static boolean observed(ReplicaStats s) {
    return s.succeeded() >= OBSERVED_ANSWERS;
  }
}
