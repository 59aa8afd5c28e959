package io.rigserve.serving.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.sharding.replica.ReplicaId;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplicaStatsTest {

  private final RoutingStats routing = new RoutingStats(3, Duration.ofMillis(300));
  private final ReplicaStats stats = routing.of("eu-west", new ReplicaId("m", "1", 0, 1));

  @Test
  void threeFailuresInARowOpenTheBreakerForTheCoolDown() throws Exception {
    for (int i = 0; i < 2; i++) {
      stats.started();
      routing.failed(stats);
    }
    assertTrue(stats.available(Optional::empty));
    stats.started();
    routing.failed(stats);
    assertFalse(stats.available(Optional::empty));
    Thread.sleep(400);
    assertTrue(stats.available(Optional::empty), "a trial is let through after the cool-down");
    assertEquals(3, stats.failed());
    assertEquals(0, stats.inFlight());
  }

  @Test
  void afterTheCoolDownOnlyARigHeardFromSinceTheBreakerOpenedGetsStagesAgain() throws Exception {
    Instant heardBefore = Instant.now();
    Thread.sleep(5);
    for (int i = 0; i < 3; i++) {
      stats.started();
      routing.failed(stats);
    }
    assertTrue(stats.breakerOpen());
    Thread.sleep(400);
    assertFalse(stats.available(() -> Optional.of(heardBefore)), "a rig silent since the failures gets no trial");
    assertTrue(stats.available(() -> Optional.of(Instant.now())), "a rig that answered a probe since gets a trial");
    stats.started();
    stats.succeeded(3.0);
    assertFalse(stats.breakerOpen());
    assertTrue(stats.available(() -> Optional.of(heardBefore)), "a closed breaker does not look at probes");
  }

  @Test
  void aSuccessResetsTheCountAndTheExpectedTimeGrowsWithStagesInFlight() {
    stats.started();
    routing.failed(stats);
    stats.started();
    routing.failed(stats);
    stats.started();
    stats.succeeded(4.0);
    stats.started();
    routing.failed(stats);
    assertTrue(stats.available(Optional::empty), "failures after a success start counting again");

    double idle = stats.expectedMillis(10);
    stats.started();
    stats.started();
    assertEquals(10 + 3 * 4.0, stats.expectedMillis(10), 1e-9);
    assertTrue(stats.expectedMillis(10) > idle);
  }

  @Test
  void theRegistryShowsEveryReplicaRoutedTo() {
    routing.of("us-east", new ReplicaId("m", "1", 1, 0)).started();
    assertEquals(2, routing.snapshot().size());
    assertEquals("eu-west", routing.snapshot().firstKey().region());
  }
}
