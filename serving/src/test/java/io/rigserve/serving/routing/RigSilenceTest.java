package io.rigserve.serving.routing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a rig counts as silent for a gateway, on a clock the test sets (nanoseconds from 0). */
class RigSilenceTest {

  private static final long MS = 1_000_000L;
  private final RigSilence rig = new RigSilence(Duration.ofHours(1));

  @Test
  void aStageOverdueWithNothingAnsweredSinceMakesTheRigSilentBeforeAnyTimeOut() {
    rig.answered(0, 100); // answers in 100 ms: overdue after 2 x 100 + 200 ms
    rig.sent(1_000 * MS);

    assertTrue(rig.heard(1_350 * MS, Optional::empty), "350 ms is within its usual time and the margin");
    assertFalse(rig.heard(1_450 * MS, Optional::empty), "450 ms without any answer is overdue");
    assertTrue(rig.silent());
  }

  @Test
  void anAnswerFromTheRigEndsItsSilenceAndAnAnswerMeanwhileKeepsItHeard() {
    rig.answered(0, 100);
    rig.sent(1_000 * MS);
    assertFalse(rig.heard(1_500 * MS, Optional::empty));

    rig.answered(1_600 * MS, 600);
    assertTrue(rig.heard(1_600 * MS, Optional::empty), "the overdue stage answered: the rig is alive");

    rig.sent(2_000 * MS);
    rig.answered(2_100 * MS, 100);
    assertTrue(rig.heard(5_000 * MS, Optional::empty), "nothing sent since its last answer is waiting");
  }

  @Test
  void aRigNeverHeardFromIsNotSilentBeforeAStageThereTimesOut() {
    rig.sent(0);
    assertTrue(rig.heard(60_000 * MS, Optional::empty), "no usual answer time to be overdue against");

    rig.timedOut(0, 10_000 * MS);
    assertFalse(rig.heard(10_000 * MS, Optional::empty));
  }

  @Test
  void aSilentRigIsHeardAgainOnceItAnswersAProbeAfterItFellSilent() throws Exception {
    rig.answered(0, 100);
    rig.sent(1_000 * MS);
    assertFalse(rig.heard(2_000 * MS, () -> Optional.of(Instant.now().minusSeconds(60))));
    Thread.sleep(5);

    assertTrue(rig.heard(2_100 * MS, () -> Optional.of(Instant.now())), "a probe answered after the silence");
  }

  @Test
  void withNothingKnownOfItsProbesASilentRigIsTriedAgainAfterTheCoolDown() {
    RigSilence cooled = new RigSilence(Duration.ofSeconds(5));
    cooled.answered(0, 100);
    cooled.sent(1_000 * MS);
    assertFalse(cooled.heard(2_000 * MS, Optional::empty));

    assertFalse(cooled.heard(6_000 * MS, Optional::empty), "within the cool-down");
    assertTrue(cooled.heard(7_001 * MS, Optional::empty), "after the cool-down");
  }
}
