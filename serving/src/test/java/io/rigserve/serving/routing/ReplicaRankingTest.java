package io.rigserve.serving.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.cluster.topology.RegionView;
import io.rigserve.cluster.topology.RigStatus;
import io.rigserve.cluster.topology.RigView;
import io.rigserve.cluster.topology.RttEstimate;
import io.rigserve.cluster.topology.TopologyView;
import io.rigserve.sharding.replica.ReplicaId;
import io.rigserve.sharding.replica.ReplicaLocation;
import io.rigserve.sharding.replica.ReplicaState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import org.apache.pekko.actor.AddressFromURIString;
import org.junit.jupiter.api.Test;

/** The routing policy on hand-made topology views and routing stats: one test per rule. */
class ReplicaRankingTest {

  private static final String OWN = "us-east";
  private static final String REMOTE = "eu-west";
  private static final Duration SILENT_AFTER = Duration.ofSeconds(2);
  private static final Duration JUST_NOW = Duration.ofMillis(100);

  /** One breaker failure opens for an hour: an open breaker stays open for the whole test. */
  private final RoutingStats stats = new RoutingStats(1, Duration.ofHours(1));
  private final ReplicaRanking ranking = new ReplicaRanking(OWN, SILENT_AFTER);
  private final Map<String, Rig> rigs = new LinkedHashMap<>();
  private final Map<String, Duration> regionHeardAgo = new TreeMap<>();
  private int nextReplica;

  /** A rig of the test cluster as the gateway's topology view shows it. */
  private record Rig(String address, String region, boolean reachable, double rttMillis, Duration heardAgo) {}

  @Test
  void onlyReadyReplicasOnReachableRigsAreCandidates() {
    ReplicaLocation ready = replica(OWN, rig(OWN, 1));
    ReplicaLocation loading = new ReplicaLocation(new ReplicaId("m", "1", 0, 90), OWN, rig(OWN, 1), ReplicaState.LOADING, "");
    ReplicaLocation unplaced = new ReplicaLocation(new ReplicaId("m", "1", 0, 91), OWN, "", ReplicaState.READY, "");
    String cut = address();
    rigs.put(cut, new Rig(cut, OWN, false, 1, JUST_NOW));
    ReplicaLocation onUnreachableRig = replica(OWN, cut);
    ReplicaLocation onUnknownRig = replica(OWN, address());
    List<ReplicaLocation> all = List.of(loading, unplaced, onUnreachableRig, onUnknownRig, ready);

    assertEquals(List.of(ready), replicas(rank(all)));
    assertTrue(ranking.rank(all, Optional.empty(), stats, Instant.now(), new Random(1)).isEmpty(),
        "without a topology view no rig is known to be reachable");
  }

  @Test
  void aQuarantinedRigGetsNoStagesEvenWhenItIsTheOnlyOneLeft() {
    ReplicaLocation honest = replica(OWN, rig(OWN, 1));
    String liarRig = rig(OWN, 1);
    ReplicaLocation liar = replica(OWN, liarRig);
    ReplicaRanking guarded = new ReplicaRanking(OWN, SILENT_AFTER, liarRig::equals);

    List<ReplicaLocation> ranked = guarded.rank(List.of(liar, honest), Optional.of(view()), stats, Instant.now(), new Random(1))
        .stream().map(ReplicaRanking.Candidate::replica).toList();
    assertEquals(List.of(honest), ranked);
    assertTrue(guarded.rank(List.of(liar), Optional.of(view()), stats, Instant.now(), new Random(1)).isEmpty());
  }

  @Test
  void aSilentRegionIsLeftOutWhileAnotherRegionRemains() {
    ReplicaLocation own = replica(OWN, rig(OWN, 1));
    ReplicaLocation remote = replica(REMOTE, rig(REMOTE, 80));
    regionHeardAgo.put(REMOTE, Duration.ofSeconds(10));

    assertEquals(List.of(own), replicas(rank(List.of(remote, own))));
    assertEquals(List.of(remote), replicas(rank(List.of(remote))), "a silent region still serves when it is all there is");

    regionHeardAgo.put(REMOTE, JUST_NOW);
    assertEquals(List.of(own, remote), replicas(rank(List.of(remote, own))), "a region heard just now stays");
  }

  @Test
  void theAgeOfTheTopologyViewCountsTowardsARegionsSilence() {
    ReplicaLocation own = replica(OWN, rig(OWN, 1));
    ReplicaLocation remote = replica(REMOTE, rig(REMOTE, 80));
    Instant now = Instant.now();
    // Heard 100 ms before a view that is itself three seconds old: silent for longer than two seconds and a round trip.
    TopologyView old = view(now.minusSeconds(3));
    assertEquals(List.of(own), replicas(ranking.rank(List.of(remote, own), Optional.of(old), stats, now, new Random(1))));
    assertEquals(List.of(own, remote),
        replicas(ranking.rank(List.of(remote, own), Optional.of(view(now)), stats, now, new Random(1))));
  }

  @Test
  void anOpenBreakerKeepsItsReplicaOutUnlessEveryBreakerIsOpen() {
    ReplicaLocation broken = replica(OWN, rig(OWN, 1));
    ReplicaLocation healthy = replica(OWN, rig(OWN, 1));
    fail(broken);

    assertEquals(List.of(healthy), replicas(rank(List.of(broken, healthy))));

    fail(healthy);
    assertEquals(Set.of(broken, healthy), new HashSet<>(replicas(rank(List.of(broken, healthy)))),
        "with every breaker open, every replica is tried rather than none");
  }

  @Test
  void afterTheCoolDownOnlyAReplicaWhoseRigAnsweredAProbeSinceGetsATrial() throws Exception {
    RoutingStats cooled = new RoutingStats(1, Duration.ZERO);
    String rig = rig(OWN, 1);
    ReplicaLocation broken = replica(OWN, rig);
    ReplicaLocation healthy = replica(OWN, rig(OWN, 1));
    ReplicaStats s = cooled.of(broken.region(), broken.id());
    s.started();
    cooled.failed(s);
    Thread.sleep(5);

    rigs.put(rig, new Rig(rig, OWN, true, 1, Duration.ofHours(1)));
    assertEquals(List.of(healthy), replicas(rankWith(cooled, List.of(broken, healthy))),
        "a rig silent since the breaker opened gets no trial stage");

    rigs.put(rig, new Rig(rig, OWN, true, 1, Duration.ZERO));
    assertEquals(Set.of(broken, healthy), new HashSet<>(replicas(rankWith(cooled, List.of(broken, healthy)))),
        "a rig that answered a probe since gets a trial stage");
  }

  @Test
  void replicasAreOrderedByRoundTripPlusInFlightStagesTimesServiceTime() {
    ReplicaLocation near = replica(REMOTE, rig(REMOTE, 80));
    ReplicaLocation busy = replica(REMOTE, rig(REMOTE, 80));
    ReplicaLocation far = replica(REMOTE, rig(REMOTE, 150));
    observe(busy, 50, 1);
    ReplicaStats busyStats = stats.of(busy.region(), busy.id());
    for (int i = 0; i < 3; i++) busyStats.started();

    List<ReplicaRanking.Candidate> ranked = rank(List.of(busy, far, near));

    assertEquals(List.of(near, far, busy), replicas(ranked));
    // An unobserved replica counts one millisecond per stage; the busy one (3 + 1) x 50 ms.
    assertEquals(List.of(81.0, 151.0, 280.0), ranked.stream().map(ReplicaRanking.Candidate::expectedMillis).toList());
  }

  @Test
  void aReplicaOfTheGatewaysOwnRegionComesFirstEvenWhenAnotherIsExpectedSooner() {
    ReplicaLocation own = replica(OWN, rig(OWN, 1));
    ReplicaLocation remote = replica(REMOTE, rig(REMOTE, 80));
    observe(own, 500, 5);

    assertEquals(List.of(own, remote), replicas(rank(List.of(remote, own))));
  }

  @Test
  void aRemoteRigWithNothingMeasuredOrKnownCountsASecondAway() {
    // Neither the rig nor any rig of its region has an RTT estimate.
    ReplicaLocation unknown = replica("sa-east", address());
    rigs.put(unknown.address(), new Rig(unknown.address(), "sa-east", true, Double.NaN, JUST_NOW));
    ReplicaLocation measured = replica(REMOTE, rig(REMOTE, 900));

    List<ReplicaRanking.Candidate> ranked = rank(List.of(unknown, measured));

    assertEquals(List.of(measured, unknown), replicas(ranked));
    assertEquals(1_000.0, ranked.get(1).rttMillis());
  }

  @Test
  void powerOfTwoAlwaysPutsTheBetterOfTwoOwnReplicasFirst() {
    ReplicaLocation idle = replica(OWN, rig(OWN, 1));
    ReplicaLocation busy = replica(OWN, rig(OWN, 1));
    for (int i = 0; i < 4; i++) stats.of(busy.region(), busy.id()).started();

    // Drawn with replacement, the busy replica would be compared with itself for one seed in four.
    for (int seed = 0; seed < 200; seed++) {
      List<ReplicaRanking.Candidate> ranked = ranking.rank(List.of(busy, idle), Optional.of(view()), stats,
          Instant.now(), new Random(seed));
      assertEquals(List.of(idle, busy), replicas(ranked), "seed " + seed);
    }
  }

  @Test
  void powerOfTwoNeverPutsTheWorstOfThreeFirstButSpreadsOverTheOthers() {
    ReplicaLocation best = replica(OWN, rig(OWN, 1));
    ReplicaLocation second = replica(OWN, rig(OWN, 1));
    ReplicaLocation worst = replica(OWN, rig(OWN, 1));
    for (int i = 0; i < 2; i++) stats.of(second.region(), second.id()).started();
    for (int i = 0; i < 4; i++) stats.of(worst.region(), worst.id()).started();

    Map<ReplicaLocation, Integer> firsts = new LinkedHashMap<>();
    for (int seed = 0; seed < 300; seed++) {
      List<ReplicaRanking.Candidate> ranked = ranking.rank(List.of(worst, second, best), Optional.of(view()), stats,
          Instant.now(), new Random(seed));
      firsts.merge(ranked.get(0).replica(), 1, Integer::sum);
      assertEquals(3, ranked.size());
    }
    assertFalse(firsts.containsKey(worst), firsts.toString());
    // Two distinct of three: the best wins two pairs in three, the second best the pair without the best.
    assertTrue(firsts.get(best) > firsts.get(second) && firsts.get(second) > 50, firsts.toString());
  }

  @Test
  void aSingleOwnReplicaComesFirstWithoutADraw() {
    ReplicaLocation own = replica(OWN, rig(OWN, 1));
    ReplicaLocation remote = replica(REMOTE, rig(REMOTE, 80));
    RandomGenerator noDraw = () -> {
      throw new AssertionError("one replica of the own region needs no random draw");
    };

    List<ReplicaRanking.Candidate> ranked = ranking.rank(List.of(remote, own), Optional.of(view()), stats,
        Instant.now(), noDraw);

    assertEquals(List.of(own, remote), replicas(ranked));
  }

  @Test
  void anUnobservedReplicaIsExpectedToServeAsSlowlyAsTheSlowestObservedOfItsPartition() {
    ReplicaLocation quick = replica(REMOTE, rig(REMOTE, 80));
    ReplicaLocation slow = replica(REMOTE, rig(REMOTE, 80));
    ReplicaLocation fresh = replica(REMOTE, rig(REMOTE, 100));
    ReplicaLocation brokenAndSlower = replica(REMOTE, rig(REMOTE, 80));
    observe(quick, 40, 5);
    observe(slow, 100, 5);
    observe(fresh, 1, 4);
    observe(brokenAndSlower, 900, 5);
    fail(brokenAndSlower);

    Map<ReplicaLocation, ReplicaRanking.Candidate> byReplica = new LinkedHashMap<>();
    for (ReplicaRanking.Candidate c : rank(List.of(quick, slow, fresh, brokenAndSlower))) byReplica.put(c.replica(), c);

    assertFalse(byReplica.containsKey(brokenAndSlower));
    assertEquals(OptionalDouble.of(40), byReplica.get(quick).serviceMillis(), "an observed replica has its own EWMA");
    assertEquals(OptionalDouble.of(100), byReplica.get(fresh).serviceMillis(),
        "four answers are not enough: the slowest observed candidate stands in");
    // 2 x 100 ms round trip + 10 x 100 ms.
    assertEquals(Duration.ofMillis(1_200), new ReplicaTarget(null, stats, byReplica.get(fresh)).attemptTimeout(Duration.ofSeconds(5)));

    observe(fresh, 1, 1);
    assertEquals(OptionalDouble.of(1), byReplica.get(fresh).serviceMillis(), "its fifth answer makes its own EWMA count");
  }

  @Test
  void withNoReplicaObservedTheAttemptWaitsTheWholeCeiling() {
    ReplicaLocation fresh = replica(REMOTE, rig(REMOTE, 80));
    ReplicaRanking.Candidate c = rank(List.of(fresh)).get(0);

    assertEquals(OptionalDouble.empty(), c.serviceMillis());
    assertEquals(Duration.ofSeconds(7), new ReplicaTarget(null, stats, c).attemptTimeout(Duration.ofSeconds(7)));
  }

  @Test
  void aRigThatLetAStageTimeOutUnansweredLeavesRoutingWithEveryReplicaUntilItAnswersAProbe() throws Exception {
    String dead = rig(REMOTE, 80);
    ReplicaLocation first = replica(REMOTE, dead);
    ReplicaLocation second = replica(REMOTE, dead);
    ReplicaLocation elsewhere = replica(REMOTE, rig(REMOTE, 90));
    stats.timedOut(dead, System.nanoTime() - 1_000_000);
    Thread.sleep(5);

    rigs.put(dead, new Rig(dead, REMOTE, true, 80, Duration.ofHours(1)));
    assertEquals(List.of(elsewhere), replicas(rank(List.of(first, second, elsewhere))),
        "one time-out takes every replica of the silent rig out, not only the one that timed out");
    assertTrue(stats.of(second.region(), second.id()).available(Optional::empty), "no breaker opened for it");

    rigs.put(dead, new Rig(dead, REMOTE, true, 80, Duration.ZERO));
    assertEquals(Set.of(first, second, elsewhere), new HashSet<>(replicas(rank(List.of(first, second, elsewhere)))),
        "a probe answered after the silence brings the rig back");
  }

  @Test
  void aTimeOutWhileTheRigAnsweredAnotherStageIsTheReplicasAloneNotTheRigs() {
    String busy = rig(REMOTE, 80);
    ReplicaLocation slow = replica(REMOTE, busy);
    ReplicaLocation other = replica(REMOTE, busy);
    long sent = System.nanoTime();
    stats.rig(busy).answered(System.nanoTime(), 80);
    stats.timedOut(busy, sent);

    assertFalse(stats.rig(busy).silent());
    assertEquals(Set.of(slow, other), new HashSet<>(replicas(rank(List.of(slow, other)))));
  }

  @Test
  void aSilentRigWhoseProbesNothingIsKnownOfComesBackAfterTheCoolDown() throws Exception {
    RoutingStats cooled = new RoutingStats(1, Duration.ofMillis(50));
    String unprobed = address();
    rigs.put(unprobed, new Rig(unprobed, REMOTE, true, Double.NaN, JUST_NOW));
    ReplicaLocation quiet = replica(REMOTE, unprobed);
    ReplicaLocation healthy = replica(OWN, rig(OWN, 1));
    cooled.timedOut(unprobed, System.nanoTime() - 1_000_000);

    assertEquals(List.of(healthy), replicas(rankWith(cooled, List.of(quiet, healthy))));
    Thread.sleep(60);
    assertEquals(Set.of(quiet, healthy), new HashSet<>(replicas(rankWith(cooled, List.of(quiet, healthy)))));
  }

  // --- the test cluster -------------------------------------------------------------------

  private List<ReplicaRanking.Candidate> rank(List<ReplicaLocation> replicas) {
    return rankWith(stats, replicas);
  }

  private List<ReplicaRanking.Candidate> rankWith(RoutingStats routing, List<ReplicaLocation> replicas) {
    return ranking.rank(replicas, Optional.of(view()), routing, Instant.now(), new Random(42));
  }

  private static List<ReplicaLocation> replicas(List<ReplicaRanking.Candidate> ranked) {
    return ranked.stream().map(ReplicaRanking.Candidate::replica).toList();
  }

  private ReplicaLocation replica(String region, String address) {
    return new ReplicaLocation(new ReplicaId("m", "1", 0, nextReplica++), region, address, ReplicaState.READY, "");
  }

  /** A reachable rig answering probes just now, {@code rttMillis} away. */
  private String rig(String region, double rttMillis) {
    String address = address();
    rigs.put(address, new Rig(address, region, true, rttMillis, JUST_NOW));
    return address;
  }

  private String address() {
    return "pekko://rigserve@10.0.0." + (rigs.size() + 1) + ":7355";
  }

  private void fail(ReplicaLocation r) {
    ReplicaStats s = stats.of(r.region(), r.id());
    s.started();
    stats.failed(s);
  }

  private void observe(ReplicaLocation r, double millis, int answers) {
    ReplicaStats s = stats.of(r.region(), r.id());
    for (int i = 0; i < answers; i++) {
      s.started();
      s.succeeded(millis);
    }
  }

  private TopologyView view() {
    return view(Instant.now());
  }

  /**
   * The gateway's view: every rig with its own RTT (none where it is NaN), every region with the
   * mean RTT of its rigs, heard as recently as its most recently heard rig unless set apart.
   */
  private TopologyView view(Instant takenAt) {
    List<RigView> members = new ArrayList<>();
    Map<String, List<Rig>> byRegion = new TreeMap<>();
    for (Rig r : rigs.values()) {
      Optional<RttEstimate> rtt = Double.isNaN(r.rttMillis()) ? Optional.empty()
          : Optional.of(new RttEstimate(r.rttMillis(), 10, Optional.of(r.heardAgo())));
      members.add(new RigView(AddressFromURIString.parse(r.address()), r.region(), RigStatus.UP, r.reachable(),
          Optional.empty(), rtt));
      byRegion.computeIfAbsent(r.region(), k -> new ArrayList<>()).add(r);
    }
    TreeMap<String, RegionView> regions = new TreeMap<>();
    byRegion.forEach((name, list) -> {
      List<Rig> measured = list.stream().filter(r -> !Double.isNaN(r.rttMillis())).toList();
      Optional<RttEstimate> rtt = measured.isEmpty() ? Optional.empty() : Optional.of(new RttEstimate(
          measured.stream().mapToDouble(Rig::rttMillis).average().orElseThrow(), 10,
          Optional.of(regionHeardAgo.getOrDefault(name,
              measured.stream().map(Rig::heardAgo).min(Duration::compareTo).orElseThrow()))));
      regions.put(name, new RegionView(name, true, Optional.empty(), rtt, Optional.empty(), list.size()));
    });
    return new TopologyView(AddressFromURIString.parse("pekko://rigserve@10.0.0.250:7355"), OWN, takenAt,
        members, regions);
  }
}
