package io.rigserve.serving.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoutingJournalTest {

  private final RoutingJournal journal = new RoutingJournal();

  @Test
  void onlyTheMostRecentFailoversAreKeptNewestFirstWhileTheTotalsCountThemAll() {
    int recorded = RoutingJournal.RECENT_FAILOVERS + 10;
    for (int i = 0; i < recorded; i++) {
      journal.failedOver("m", "1", 0, "r" + i, "TIMEOUT", i % 2 == 0 ? Optional.of("r" + (i + 1)) : Optional.empty(), "", "");
    }
    assertEquals(recorded, journal.failovers());
    assertEquals(recorded / 2, journal.failoversNotReplayed());
    List<RoutingJournal.Failover> recent = journal.recentFailovers();
    assertEquals(RoutingJournal.RECENT_FAILOVERS, recent.size());
    assertEquals("r" + (recorded - 1), recent.get(0).from());
    assertEquals("r10", recent.get(recent.size() - 1).from());
  }

  @Test
  void aLongReasonIsCutSoOneReplicasErrorCannotFloodTheAdminPage() {
    journal.failedOver("m", "1", 0, "r0", "RUNTIME_ERROR: " + "x".repeat(5_000), Optional.empty(), "", "");
    String reason = journal.recentFailovers().get(0).reason();
    assertEquals(RoutingJournal.MAX_REASON, reason.length());
    assertTrue(reason.startsWith("RUNTIME_ERROR: xxx") && reason.endsWith("..."), reason);
  }

  @Test
  void partitionsAreListedInOrderWithTheirAttemptsPerRegionAndTheLastReplica() {
    journal.sent("m", "2", 1, "eu-west", "m@2/p1/r0 in eu-west");
    journal.sent("m", "2", 0, "us-east", "m@2/p0/r1 in us-east");
    journal.sent("m", "2", 1, "us-east", "m@2/p1/r3 in us-east");
    journal.sent("m", "2", 1, "us-east", "m@2/p1/r2 in us-east");
    List<RoutingJournal.PartitionRouting> partitions = journal.partitions();
    assertEquals(2, partitions.size());
    assertEquals(0, partitions.get(0).partition());
    RoutingJournal.PartitionRouting borrowed = partitions.get(1);
    assertEquals(Map.of("eu-west", 1L, "us-east", 2L), borrowed.byRegion());
    assertEquals("m@2/p1/r2 in us-east", borrowed.last());
  }
}
