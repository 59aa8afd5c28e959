package io.rigserve.cluster.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.Test;

class RttPriorTest {

  @Test
  void usEastToEuWestIsAboutFiveThousandFourHundredKilometresAndEightyMilliseconds() {
    double km = RttPrior.distanceKm(39.0, -77.5, 53.3, -6.3);
    assertTrue(km > 5300 && km < 5600, km + " km");
    double ms = RttPrior.millis(39.0, -77.5, 53.3, -6.3);
    assertEquals(2 * km / 200 * 1.5 + 1, ms, 1e-9);
    assertTrue(ms > 75 && ms < 90, ms + " ms");
  }

  @Test
  void thePriorGrowsWithDistanceAndIsSmallNextDoor() {
    double saToAf = RttPrior.millis(-23.5, -46.6, -33.9, 18.4);
    double usToAf = RttPrior.millis(39.0, -77.5, -33.9, 18.4);
    assertTrue(usToAf > saToAf);
    assertEquals(1.0, RttPrior.millis(53.3, -6.3, 53.3, -6.3), 1e-9);
  }

  @Test
  void theFirstSampleIsTakenAsItIsAndLaterOnesMoveTheAverageByTheWeight() {
    RttTable table = new RttTable(0.25);
    Address rig = new Address("pekko", "rigserve", "10.0.0.2", 7355);
    table.record(rig, "eu-west", 80.0, 1_000);
    table.record(rig, "eu-west", 120.0, 2_000);
    RttEstimate estimate = table.rig(rig, 5_000).orElseThrow();
    assertEquals(90.0, estimate.millis(), 1e-9);
    assertEquals(2, estimate.samples());
    assertEquals(Duration.ofNanos(3_000), estimate.sinceLastSample().orElseThrow());
    assertEquals(90.0, table.region("eu-west", 5_000).orElseThrow().millis(), 1e-9);
  }
}
