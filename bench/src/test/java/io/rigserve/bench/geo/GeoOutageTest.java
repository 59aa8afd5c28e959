package io.rigserve.bench.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four regions in network namespaces with real regions' round trips between them, rigs as
 * separate JVMs, steady load from clients in several regions; then a region is killed and
 * started again, another is cut off and healed, then the first one's network vanishes (connects
 * hang) and returns. No request of a surviving region's clients fails, nor of the cut region's own, and
 * the failed region serves again when it returns.
 */
class GeoOutageTest {

  @TempDir
  Path work;

  @Test
  void aRegionKilledCutOrVanishedUnderWanDelaysLosesNoRequestAndServesAgainWhenItReturns() throws Exception {
    String unavailable = GeoNetwork.unavailableReason();
    assumeTrue(unavailable == null, unavailable);
    GeoScenario.Durations durations = new GeoScenario.Durations(
        Duration.ofSeconds(8), Duration.ofSeconds(5), Duration.ofSeconds(90), Duration.ofSeconds(120));

    List<FaultReport> reports = GeoRun.run("all", work, durations);

    FaultReport kill = reports.get(0);
    for (String phase : List.of("steady", "outage", "recovery", "return")) {
      PhaseStats p = kill.phase(phase);
      assertTrue(p.sent() > 0, "no load in phase " + phase + "\n" + kill.render());
      assertEquals(0, p.failed(), "requests failed in phase " + phase + "\n" + kill.render());
    }
    assertTrue(kill.quietAfterMillis() < 5_000, "stages still went to the dead region\n" + kill.render());

    FaultReport cut = reports.get(1);
    for (String phase : List.of("steady", "cut", "downed", "return")) {
      PhaseStats p = cut.phase(phase);
      assertTrue(p.sent() > 0, "no load in phase " + phase + "\n" + cut.render());
      assertEquals(0, p.failed(), "the majority's requests failed in phase " + phase + "\n" + cut.render());
    }
    // Cut off, the region still has a whole chain: its own clients go on being served, also while
    // its rig rebuilds after the heal (the listeners stay bound, requests wait for the new incarnation).
    for (String phase : List.of("steady", "cut", "downed", "return")) {
      PhaseStats own = cut.phase(phase, "sa-east");
      assertTrue(own.sent() > 0, "no load from the cut region's clients in phase " + phase + "\n" + cut.render());
      assertEquals(0, own.failed(), "the cut region's own clients failed in phase " + phase + "\n" + cut.render());
    }

    FaultReport vanish = reports.get(2);
    for (String phase : List.of("steady", "vanished", "downed", "return")) {
      PhaseStats p = vanish.phase(phase);
      assertTrue(p.sent() > 0, "no load in phase " + phase + "\n" + vanish.render());
      assertEquals(0, p.failed(), "requests failed in phase " + phase + "\n" + vanish.render());
    }
    assertTrue(vanish.quietAfterMillis() >= 0, "no chain borrowed from the vanished region\n" + vanish.render());
    assertTrue(vanish.quietAfterMillis() < 5_000, "stages still went to the vanished region\n" + vanish.render());
  }
}
