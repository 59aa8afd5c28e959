package io.rigserve.cluster.node;

import static io.rigserve.cluster.testkit.ClusterHarness.Region.US_EAST;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.rigserve.cluster.RigCluster;
import io.rigserve.cluster.testkit.ClusterHarness;
import io.rigserve.cluster.testkit.Eventually;
import io.rigserve.cluster.testkit.Rig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RigLifecycleTest {

  private final ClusterHarness harness = ClusterHarness.create();

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void aRigThatLeavesIsRemovedEverywhereItsSystemStopsAndItIsNotRestarted() throws Exception {
    List<Rig> rigs = harness.startCluster(1, US_EAST);
    Rig stays = rigs.get(0);
    Rig leaves = harness.startRig(US_EAST);
    harness.join(List.of(leaves));
    harness.awaitConverged(harness.rigs());
    Address gone = leaves.address();
    RigCluster first = leaves.cluster();

    leaves.cluster().lifecycle().leave().toCompletableFuture().get(20, TimeUnit.SECONDS);

    Eventually.await(Duration.ofSeconds(10), "removed from the rig that stays",
        () -> !stays.seenMembers().contains(gone));
    leaves.cluster().lifecycle().whenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
    Thread.sleep(1000); // a restart would start within half a second
    assertFalse(leaves.cluster().lifecycle().whenDowned().toCompletableFuture().isDone(), "leaving is no downing");
    assertSame(first, leaves.cluster(), "a new actor system was started after leaving");
  }
}
