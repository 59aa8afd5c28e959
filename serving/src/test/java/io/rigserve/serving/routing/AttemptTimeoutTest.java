package io.rigserve.serving.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class AttemptTimeoutTest {

  private static final Duration CEILING = Duration.ofSeconds(5);

  @Test
  void aReplicaWithNoKnownServiceTimeIsWaitedForUpToTheCeiling() {
    assertEquals(CEILING, AttemptTimeout.forReplica(80, OptionalDouble.empty(), CEILING));
  }

  @Test
  void aKnownServiceTimeAllowsTwoRoundTripsAndTenServiceTimes() {
    assertEquals(Duration.ofMillis(700), AttemptTimeout.forReplica(150, OptionalDouble.of(40), CEILING));
  }

  @Test
  void theWaitIsNeverBelowHalfASecondNorAboveTheCeiling() {
    assertEquals(Duration.ofMillis(500), AttemptTimeout.forReplica(10, OptionalDouble.of(2), CEILING));
    assertEquals(CEILING, AttemptTimeout.forReplica(100, OptionalDouble.of(1_000), CEILING));
    assertEquals(Duration.ofMillis(300), AttemptTimeout.forReplica(10, OptionalDouble.of(2), Duration.ofMillis(300)),
        "a ceiling below the floor wins");
  }

  @Test
  void whileAnotherReplicaRemainsAnAttemptTakesAtMostHalfTheTimeLeft() {
    assertEquals(Duration.ofSeconds(2), AttemptTimeout.withinDeadline(CEILING, Duration.ofSeconds(4), true));
    assertEquals(Duration.ofMillis(700), AttemptTimeout.withinDeadline(Duration.ofMillis(700), Duration.ofSeconds(4), true));
  }

  @Test
  void theLastReplicaMayTakeTheWholeTimeout() {
    assertEquals(CEILING, AttemptTimeout.withinDeadline(CEILING, Duration.ofSeconds(4), false));
  }
}
