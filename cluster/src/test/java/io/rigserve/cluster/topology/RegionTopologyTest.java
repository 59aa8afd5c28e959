package io.rigserve.cluster.topology;

import static io.rigserve.cluster.testkit.ClusterHarness.Region.AF_SOUTH;
import static io.rigserve.cluster.testkit.ClusterHarness.Region.EU_WEST;
import static io.rigserve.cluster.testkit.ClusterHarness.Region.US_EAST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.cluster.testkit.ClusterHarness;
import io.rigserve.cluster.testkit.Eventually;
import io.rigserve.cluster.testkit.Rig;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegionTopologyTest {

  private final ClusterHarness harness = ClusterHarness.create();
  private List<Rig> rigs;

  @BeforeAll
  void startThreeRegionsOfTwoRigs() {
    rigs = harness.startCluster(2, US_EAST, EU_WEST, AF_SOUTH);
  }

  @AfterAll
  void stop() {
    harness.close();
  }

  @Test
  void everyRigSeesEverySixRigsWithRegionZoneCoordinatesAndMemory() {
    Set<Address> all = rigs.stream().map(Rig::address).collect(Collectors.toSet());
    for (Rig rig : rigs) {
      Eventually.assertWithin(Duration.ofSeconds(10), () -> {
        TopologyView view = ClusterHarness.topology(rig);
        assertEquals(rig.address(), view.self());
        assertEquals(rig.region().name(), view.selfRegion());
        assertEquals(all, view.members().stream().map(RigView::address).collect(Collectors.toSet()));
        assertEquals(Set.of("us-east", "eu-west", "af-south"), view.regions());
        assertEquals(view.regions(), view.reachableRegions());
        for (Rig other : rigs) {
          RigView seen = view.member(other.address()).orElseThrow();
          assertEquals(other.region().name(), seen.region());
          assertEquals(RigStatus.UP, seen.status());
          assertTrue(seen.reachable(), other + " reachable from " + rig);
          RigIdentity id = seen.identity().orElseThrow(() -> new AssertionError("no identity of " + other));
          assertEquals(other.region().name() + "-a", id.zone());
          assertEquals(other.region().latitude(), id.latitude());
          assertEquals(other.region().longitude(), id.longitude());
          assertEquals(2L << 30, id.modelMemoryBytes());
        }
        assertEquals(2, view.membersIn("eu-west").size());
      });
    }
  }

  @Test
  void everyRigMeasuresPlausibleLoopbackRttToEveryOtherRigAndRegion() {
    for (Rig rig : rigs) {
      Eventually.assertWithin(Duration.ofSeconds(15), () -> {
        TopologyView view = ClusterHarness.topology(rig);
        for (String region : view.regions()) {
          RttEstimate rtt = view.rttToRegion(region).orElseThrow(() -> new AssertionError("no rtt to " + region));
          assertFalse(rtt.isPrior(), "still the prior to " + region + " from " + rig);
          assertTrue(rtt.samples() > 0);
          assertTrue(rtt.millis() > 0 && rtt.millis() < 50, "loopback rtt " + rtt.millis() + " ms");
          assertTrue(rtt.sinceLastSample().orElseThrow().compareTo(Duration.ofSeconds(5)) < 0);
        }
        for (Rig other : rigs) {
          if (other == rig) {
            assertTrue(view.rttTo(other.address()).isEmpty(), "no rtt to itself");
            continue;
          }
          RttEstimate rtt = view.rttTo(other.address()).orElseThrow();
          assertTrue(rtt.samples() > 0, "measured " + other + " from " + rig);
          assertTrue(rtt.millis() < 50, "loopback rtt " + rtt.millis() + " ms");
        }
      });
    }
  }
}
