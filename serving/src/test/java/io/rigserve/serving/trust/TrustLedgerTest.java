package io.rigserve.serving.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrustLedgerTest {

  @Test
  void aStrikeDecaysWithVerifiedAgreementsAndNeverBelowZero() {
    TrustLedger ledger = new TrustLedger(4);
    assertEquals(1.0, ledger.struck("r", 0));
    ledger.agreed("r");
    ledger.agreed("r");
    assertEquals(0.5, ledger.of("r").strikes(), 1e-9);
    for (int i = 0; i < 10; i++) ledger.agreed("r");
    assertEquals(0.0, ledger.of("r").strikes());
    assertEquals(1.0, ledger.struck("r", 0), "a strike after full forgiveness counts from zero");
  }

  @Test
  void wrongAnswersServedAreCountedAndWeightedByTheirSamplingRate() {
    TrustLedger ledger = new TrustLedger(50);
    ledger.struck("r", 0.25);
    ledger.struck("r", 0.02);
    ledger.struck("r", 0); // verified before answering: the client never got it
    TrustLedger.RigTrust r = ledger.of("r");
    assertEquals(2, r.wrongAnswersFound());
    assertEquals(4 + 50, r.wrongAnswersEstimated(), 1e-9);
    assertEquals(3, r.disagreementsLost());
  }

  @Test
  void aRigIsQuarantinedOnceAndStartsOverWhenReleased() {
    TrustLedger ledger = new TrustLedger(50);
    ledger.ran("r");
    assertTrue(ledger.quarantined("r"));
    assertFalse(ledger.quarantined("r"));
    ledger.released("r");
    assertEquals(0, ledger.of("r").runs());
    assertFalse(ledger.of("r").quarantined());
  }

  @Test
  void unsettledDisagreementsAreKeptBoundedNewestFirst() {
    TrustLedger ledger = new TrustLedger(50);
    for (int i = 0; i < TrustLedger.RECENT_UNSETTLED + 5; i++) {
      ledger.unsettled(new TrustLedger.Unsettled(i, "m@1/p0/r0", "a", "b", "d" + i));
    }
    assertEquals(TrustLedger.RECENT_UNSETTLED, ledger.recentUnsettled().size());
    assertEquals("d" + (TrustLedger.RECENT_UNSETTLED + 4), ledger.recentUnsettled().get(0).difference());
    assertEquals(TrustLedger.RECENT_UNSETTLED + 5, ledger.of("a").unsettled());
    assertEquals(0.0, ledger.of("a").strikes());
  }

  @Test
  void checksAreCountedOnceByOutcomeAndAReleaseDoesNotTakeThemBack() {
    TrustLedger ledger = new TrustLedger(50);
    ledger.checkAgreed("a", "b");
    ledger.checkAgreed("a", "c");
    ledger.struck("r", 0);
    ledger.unsettled(new TrustLedger.Unsettled(1, "m@1/p0/r0", "a", "r", "d"));
    ledger.dropped();
    ledger.released("r");

    TrustLedger.Totals totals = ledger.totals();
    assertEquals(2, totals.agreed());
    assertEquals(1, totals.disagreed());
    assertEquals(1, totals.unsettled());
    assertEquals(1, totals.checksDropped());
    assertEquals(2, ledger.of("a").agreements(), "an agreed check is a verified agreement of both rigs");
    assertEquals(1, ledger.of("b").agreements());
  }
}
