package io.rigserve.cluster.downing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.rigserve.cluster.topology.RegionView;
import io.rigserve.cluster.topology.RigStatus;
import io.rigserve.cluster.topology.RigView;
import io.rigserve.cluster.topology.RttEstimate;
import io.rigserve.cluster.topology.TopologyView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.Test;

class RegionDowningRuleTest {

  private static final Duration GRACE = Duration.ofSeconds(30);
  private static final Duration LONG_AGO = Duration.ofSeconds(45);

  /** Builds one rig's view: two rigs per region, the lower port the oldest. */
  private static final class ViewBuilder {
    private final Address self;
    private final String selfRegion;
    private final List<RigView> members = new ArrayList<>();
    private final TreeMap<String, RegionView> regions = new TreeMap<>();

    ViewBuilder(String selfRegion, int selfPort) {
      this.selfRegion = selfRegion;
      this.self = address(selfPort);
    }

    ViewBuilder region(String name, int firstPort, boolean reachable, Duration unreachableFor, Duration lastAnswer) {
      return region(name, firstPort, reachable, unreachableFor, lastAnswer, RigStatus.UP);
    }

    ViewBuilder region(String name, int firstPort, boolean reachable, Duration unreachableFor,
        Duration lastAnswer, RigStatus status) {
      for (int port = firstPort; port < firstPort + 2; port++) {
        members.add(new RigView(address(port), name, status, reachable, Optional.empty(), Optional.empty()));
      }
      Optional<RttEstimate> rtt = lastAnswer == null
          ? Optional.empty()
          : Optional.of(new RttEstimate(80, 10, Optional.of(lastAnswer)));
      regions.put(name, new RegionView(name, reachable, Optional.ofNullable(unreachableFor), rtt,
          status == RigStatus.UP ? Optional.of(address(firstPort)) : Optional.empty(), 2));
      return this;
    }

    ViewBuilder reachable(String name, int firstPort) {
      return region(name, firstPort, true, null, Duration.ofMillis(200));
    }

    TopologyView build() {
      return new TopologyView(self, selfRegion, Instant.now(), members, regions);
    }
  }

  private static Address address(int port) {
    return new Address("pekko", "rigserve", "127.0.0.1", port);
  }

  /** The oldest eu-west rig, reaching eu-west and us-east, with af-south unreachable. */
  private static TopologyView majoritySeeingAfSouth(Duration unreachableFor, Duration lastAnswer) {
    return majoritySeeingAfSouthFrom("eu-west", 10, unreachableFor, lastAnswer);
  }

  /** A rig of the eu-west + us-east majority (rigs 10, 11 and 20, 21) with af-south unreachable. */
  private static TopologyView majoritySeeingAfSouthFrom(
      String selfRegion, int selfPort, Duration unreachableFor, Duration lastAnswer) {
    return new ViewBuilder(selfRegion, selfPort)
        .reachable("eu-west", 10)
        .reachable("us-east", 20)
        .region("af-south", 30, false, unreachableFor, lastAnswer)
        .build();
  }

  @Test
  void nothingHappensWhileEveryRegionIsReachable() {
    TopologyView view = new ViewBuilder("eu-west", 10).reachable("eu-west", 10).reachable("us-east", 20).build();
    assertInstanceOf(RegionDowningRule.AllReachable.class, RegionDowningRule.decide(view, GRACE));
  }

  @Test
  void theOldestRigOfTheFirstReachableRegionDownsARegionSilentAndUnreachablePastTheGrace() {
    TopologyView view = majoritySeeingAfSouth(LONG_AGO, LONG_AGO);
    RegionDowningRule.Verdict verdict = RegionDowningRule.decide(view, GRACE);
    RegionDowningRule.DownRegions down = assertInstanceOf(RegionDowningRule.DownRegions.class, verdict);
    assertEquals(Map.of("af-south", List.of(address(30), address(31))), down.rigs());
  }

  @Test
  void aCutOffMinorityNeverDownsTheMajority() {
    TopologyView view = new ViewBuilder("af-south", 30)
        .reachable("af-south", 30)
        .region("eu-west", 10, false, LONG_AGO, LONG_AGO)
        .region("us-east", 20, false, LONG_AGO, LONG_AGO)
        .build();
    RegionDowningRule.NoMajority verdict =
        assertInstanceOf(RegionDowningRule.NoMajority.class, RegionDowningRule.decide(view, GRACE));
    assertEquals(3, verdict.regions());
  }

  @Test
  void anEvenSplitDownsNoOneOnEitherSide() {
    TopologyView west = new ViewBuilder("eu-west", 10)
        .reachable("eu-west", 10)
        .reachable("af-south", 30)
        .region("us-east", 20, false, LONG_AGO, LONG_AGO)
        .region("sa-east", 40, false, LONG_AGO, LONG_AGO)
        .build();
    assertInstanceOf(RegionDowningRule.NoMajority.class, RegionDowningRule.decide(west, GRACE));
  }

  @Test
  void onlyOneRigIssuesTheDowns() {
    TopologyView otherRegion = majoritySeeingAfSouthFrom("us-east", 20, LONG_AGO, LONG_AGO);
    assertInstanceOf(RegionDowningRule.NotIssuer.class, RegionDowningRule.decide(otherRegion, GRACE));
    TopologyView youngerRig = majoritySeeingAfSouthFrom("eu-west", 11, LONG_AGO, LONG_AGO);
    assertInstanceOf(RegionDowningRule.NotIssuer.class, RegionDowningRule.decide(youngerRig, GRACE));
  }

  @Test
  void aRegionIsNotDownedWithinTheGrace() {
    TopologyView view = majoritySeeingAfSouth(Duration.ofSeconds(20), LONG_AGO);
    assertInstanceOf(RegionDowningRule.Waiting.class, RegionDowningRule.decide(view, GRACE));
  }

  @Test
  void aRegionWhoseRigsStillAnswerProbesIsNotDowned() {
    // Pekko marks a region unreachable when one of its watched rigs is; the others still answer.
    TopologyView view = majoritySeeingAfSouth(LONG_AGO, Duration.ofSeconds(1));
    assertInstanceOf(RegionDowningRule.Waiting.class, RegionDowningRule.decide(view, GRACE));
  }

  @Test
  void aRegionThatNeverAnsweredIsDownedAfterTheGrace() {
    TopologyView view = majoritySeeingAfSouth(LONG_AGO, null);
    assertInstanceOf(RegionDowningRule.DownRegions.class, RegionDowningRule.decide(view, GRACE));
  }

  @Test
  void regionsWhoseRigsAreAllDownNoLongerCount() {
    // us-east is on its way out: eu-west alone is the whole remaining cluster, and a majority of it.
    TopologyView view = new ViewBuilder("eu-west", 10)
        .reachable("eu-west", 10)
        .region("us-east", 20, false, LONG_AGO, LONG_AGO, RigStatus.DOWN)
        .build();
    assertInstanceOf(RegionDowningRule.AllReachable.class, RegionDowningRule.decide(view, GRACE));
  }
}
