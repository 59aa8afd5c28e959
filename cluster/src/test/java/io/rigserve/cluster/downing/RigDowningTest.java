package io.rigserve.cluster.downing;

import static io.rigserve.cluster.testkit.ClusterHarness.Region.AF_SOUTH;
import static io.rigserve.cluster.testkit.ClusterHarness.Region.EU_WEST;
import static io.rigserve.cluster.testkit.ClusterHarness.Region.US_EAST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.cluster.RigCluster;
import io.rigserve.cluster.testkit.ClusterHarness;
import io.rigserve.cluster.testkit.Eventually;
import io.rigserve.cluster.testkit.Rig;
import io.rigserve.cluster.topology.RegionView;
import io.rigserve.cluster.topology.RigStatus;
import io.rigserve.cluster.topology.RigView;
import io.rigserve.cluster.topology.TopologyView;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RigDowningTest {

  private static final Duration GRACE = Duration.ofSeconds(6);

  private final ClusterHarness harness = ClusterHarness.create();

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void aRigKilledWithoutLeavingIsSeenUnreachableThenDownedInsideItsRegionAndRemoved() {
    List<Rig> usEast = harness.startCluster(3, US_EAST);
    Rig euWest = harness.startRig(EU_WEST);
    Rig afSouth = harness.startRig(AF_SOUTH);
    harness.join(List.of(euWest, afSouth));
    harness.awaitConverged(harness.rigs());
    Rig victim = usEast.get(2);
    Address dead = victim.address();
    List<Rig> survivors = harness.rigs().stream().filter(r -> r != victim).toList();

    harness.crash(victim);

    Rig neighbour = usEast.get(0);
    Eventually.assertWithin(Duration.ofSeconds(10), () -> {
      RigView seen = ClusterHarness.topology(neighbour).member(dead).orElseThrow();
      assertFalse(seen.reachable(), "the killed rig is unreachable for its region");
    });
    Eventually.await(Duration.ofSeconds(20), "the killed rig removed everywhere", () ->
        survivors.stream().noneMatch(r -> r.seenMembers().contains(dead)));

    // Its region settled it alone: no other region downed the two rigs that kept answering.
    sleep(GRACE.plusSeconds(1));
    Set<Address> alive = survivors.stream().map(Rig::address).collect(Collectors.toSet());
    for (Rig rig : survivors) {
      assertTrue(rig.isUp(), rig + " still Up");
      assertEquals(alive, rig.seenUpMembers(), "members seen by " + rig);
    }
  }

  @Test
  void aWholeRegionKilledIsDownedByTheOthersAfterTheGraceAndTheRestKeepsWorking() {
    harness.startCluster(2, US_EAST, EU_WEST, AF_SOUTH);
    List<Rig> lost = harness.rigsIn(EU_WEST);
    Set<Address> lostAddresses = lost.stream().map(Rig::address).collect(Collectors.toSet());
    List<Rig> survivors = harness.rigsOutside(EU_WEST);

    long crashedAt = System.nanoTime();
    harness.crashRegion(EU_WEST);

    Rig observer = survivors.get(0);
    Eventually.assertWithin(Duration.ofSeconds(10), () -> {
      RegionView region = ClusterHarness.topology(observer).region("eu-west").orElseThrow();
      assertFalse(region.reachable(), "eu-west unreachable");
    });
    assertTrue(observer.seenMembers().containsAll(lostAddresses), "not downed before the grace");

    Eventually.await(Duration.ofSeconds(30), "eu-west removed everywhere", () ->
        survivors.stream().noneMatch(r -> r.seenMembers().stream().anyMatch(lostAddresses::contains)));
    Duration took = Duration.ofNanos(System.nanoTime() - crashedAt);
    assertTrue(took.compareTo(GRACE) > 0, "downed only after the grace, took " + took.toMillis() + " ms");

    Set<Address> alive = survivors.stream().map(Rig::address).collect(Collectors.toSet());
    for (Rig rig : survivors) {
      assertTrue(rig.isUp(), rig + " still Up");
      assertEquals(alive, rig.seenUpMembers(), "members seen by " + rig);
      TopologyView view = ClusterHarness.topology(rig);
      assertEquals(Set.of("us-east", "af-south"), view.regions());
      assertEquals(view.regions(), view.reachableRegions());
    }
  }

  @Test
  void aRegionCutOffDoesNotDownTheMajorityIsDownedByItAndRejoinsOnTheSamePortsAfterHealing() throws Exception {
    harness.startCluster(2, US_EAST, EU_WEST, AF_SOUTH);
    List<Rig> cut = harness.rigsIn(AF_SOUTH);
    List<Rig> majority = harness.rigsOutside(AF_SOUTH);
    Set<Address> cutAddresses = cut.stream().map(Rig::address).collect(Collectors.toSet());
    Set<Address> majorityAddresses = majority.stream().map(Rig::address).collect(Collectors.toSet());
    List<RigCluster> before = cut.stream().map(Rig::cluster).toList();

    harness.cutOff(AF_SOUTH);

    Eventually.await(Duration.ofSeconds(30), "the majority removed af-south", () ->
        majority.stream().noneMatch(r -> r.seenMembers().stream().anyMatch(cutAddresses::contains)));
    for (Rig rig : cut) {
      // The cut-off side sees everyone else unreachable, yet downed no one.
      TopologyView view = ClusterHarness.topology(rig);
      assertEquals(Set.of("af-south"), view.reachableRegions());
      for (Address other : majorityAddresses) {
        assertEquals(RigStatus.UP, view.member(other).orElseThrow().status(), other + " as seen from " + rig);
      }
      assertFalse(rig.isTerminated());
    }
    for (Rig rig : majority) {
      assertTrue(rig.isUp());
      assertEquals(majorityAddresses, rig.seenUpMembers());
    }

    harness.heal(AF_SOUTH);

    for (int i = 0; i < cut.size(); i++) {
      Rig rig = cut.get(i);
      RigCluster first = before.get(i);
      Eventually.await(Duration.ofSeconds(40), "a new actor system for " + rig, () -> rig.cluster() != first);
      RigCluster second = rig.cluster();
      assertTrue(before.get(i).system().whenTerminated().isCompleted(), "the downed actor system is gone");
      assertTrue(before.get(i).lifecycle().whenDowned().toCompletableFuture().isDone());
      assertEquals(rig.port(), second.system().address().getPort().get(), "same port");
    }
    harness.awaitConverged(harness.rigs());
    for (Rig rig : harness.rigs()) {
      assertEquals(6, rig.seenUpMembers().size(), "all six rigs Up again, seen by " + rig);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
