package io.rigserve.sharding.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.sharding.replica.ReplicaId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlacementPolicyTest {

  private static final long MB = 1 << 20;
  private final PlacementPolicy policy = new PlacementPolicy(1, 0.1);

  @Test
  void replicasOfOnePartitionLandOnDifferentRigsWithinBudgets() {
    Deployment d = deployment("m", 3, 2, 40 * MB, 30 * MB, 50 * MB);
    List<RigCapacity> rigs = List.of(rig("a", "z1", 100 * MB), rig("b", "z2", 100 * MB), rig("c", "z1", 100 * MB));

    Placement p = policy.place("us-east", List.of(d), rigs, Map.of());

    assertTrue(p.unplaced().isEmpty(), p.unplaced().toString());
    assertEquals(6, p.assigned().size());
    for (int partition = 0; partition < 3; partition++) {
      assertNotEquals(p.assigned().get(new ReplicaId("m", "1", partition, 0)), p.assigned().get(new ReplicaId("m", "1", partition, 1)));
    }
    Map<String, Long> used = new HashMap<>();
    p.assigned().forEach((id, at) -> used.merge(at, d.partitionBytes()[id.partition()], Long::sum));
    used.values().forEach(bytes -> assertTrue(bytes <= 100 * MB, used.toString()));
  }

  @Test
  void aRegionTooSmallPlacesWhatFitsAndSaysWhatIsShort() {
    Deployment d = deployment("big", 2, 2, 60 * MB, 60 * MB);
    Placement p = policy.place("af-south", List.of(d), List.of(rig("a", "z1", 100 * MB)), Map.of());
    assertEquals(1, p.assigned().size());
    assertEquals(1, p.unplaced().size());
    assertTrue(p.unplaced().values().iterator().next().contains("capacity short in af-south"));
  }

  @Test
  void existingReplicasStayAndALostRigsReplicasMoveToTheOthers() {
    Deployment d = deployment("m", 2, 2, 10 * MB, 10 * MB);
    List<RigCapacity> three = List.of(rig("a", "z1", 100 * MB), rig("b", "z1", 100 * MB), rig("c", "z1", 100 * MB));
    Placement first = policy.place("eu-west", List.of(d), three, Map.of());

    Placement again = policy.place("eu-west", List.of(d), three, first.assigned());
    assertEquals(first.assigned(), again.assigned());

    String lost = first.assigned().get(new ReplicaId("m", "1", 0, 0));
    List<RigCapacity> survivors = three.stream().filter(r -> !r.address().equals(lost)).toList();
    Placement after = policy.place("eu-west", List.of(d), survivors, first.assigned());
    assertEquals(4, after.assigned().size());
    assertTrue(after.assigned().values().stream().noneMatch(lost::equals));
    first.assigned().forEach((id, at) -> {
      if (!at.equals(lost)) assertEquals(at, after.assigned().get(id), "a replica on a surviving rig moved");
    });
  }

  @Test
  void aJoiningRigReceivesReplicasOneMoveAtATime() {
    Deployment d = deployment("m", 4, 1, 10 * MB, 10 * MB, 10 * MB, 10 * MB);
    Placement alone = policy.place("sa-east", List.of(d), List.of(rig("a", "z1", 100 * MB)), Map.of());
    assertEquals(4, on(alone, "a"));

    List<RigCapacity> two = List.of(rig("a", "z1", 100 * MB), rig("b", "z1", 100 * MB));
    Placement step1 = policy.place("sa-east", List.of(d), two, alone.assigned());
    assertEquals(1, on(step1, "b"));
    Placement step2 = policy.place("sa-east", List.of(d), two, step1.assigned());
    assertEquals(2, on(step2, "b"));
    Placement step3 = policy.place("sa-east", List.of(d), two, step2.assigned());
    assertEquals(step2.assigned(), step3.assigned(), "balanced: nothing more moves");
  }

  @Test
  void replicasOfOnePartitionGoToDifferentOwnersBeforeDifferentZones() {
    Deployment d = deployment("m", 2, 2, 10 * MB, 10 * MB);
    List<RigCapacity> rigs = List.of(new RigCapacity("a1", "z1", 100 * MB, "alice"),
        new RigCapacity("a2", "z2", 100 * MB, "alice"), new RigCapacity("b1", "z1", 100 * MB, "bob"));

    Placement p = policy.place("eu-west", List.of(d), rigs, Map.of());

    Map<String, String> ownerOf = Map.of("a1", "alice", "a2", "alice", "b1", "bob");
    for (int partition = 0; partition < 2; partition++) {
      String first = ownerOf.get(p.assigned().get(new ReplicaId("m", "1", partition, 0)));
      String second = ownerOf.get(p.assigned().get(new ReplicaId("m", "1", partition, 1)));
      assertNotEquals(first, second, "partition " + partition + " has both replicas under " + first + ": " + p.assigned());
    }
    Placement again = policy.place("eu-west", List.of(d), rigs, p.assigned());
    assertEquals(p.assigned(), again.assigned(), "rebalancing keeps the owners apart");
  }

  @Test
  void aRegionOfOneOwnerStillSpreadsAcrossZones() {
    Deployment d = deployment("m", 1, 2, 10 * MB);
    List<RigCapacity> rigs = List.of(new RigCapacity("a1", "z1", 100 * MB, "alice"),
        new RigCapacity("a2", "z1", 100 * MB, "alice"), new RigCapacity("a3", "z2", 100 * MB, "alice"));

    Placement p = policy.place("eu-west", List.of(d), rigs, Map.of());

    assertEquals(Set.of("a1", "a3"), Set.copyOf(p.assigned().values()));
  }

  @Test
  void aDeploymentForOtherRegionsPlacesNothingHere() {
    Deployment d = new Deployment("m", "1", 1, new String[] {"eu-west"}, 2, new long[] {MB}, new String[] {"x"}, new String[0]);
    Placement p = policy.place("us-east", List.of(d), List.of(rig("a", "z1", 100 * MB)), Map.of());
    assertTrue(p.assigned().isEmpty() && p.unplaced().isEmpty());
  }

  @Test
  void aDrainingRigKeepsItsReplicasUntilTheirStandInsAreReadyThenLetsThemGo() {
    Deployment d = deployment("m", 2, 1, 10 * MB, 10 * MB);
    List<RigCapacity> all = List.of(rig("a", "z1", 100 * MB), rig("b", "z1", 100 * MB), rig("c", "z1", 100 * MB));
    Placement before = policy.place("eu-west", List.of(d), all, Map.of());
    String drained = before.assigned().get(new ReplicaId("m", "1", 0, 0));
    List<RigCapacity> others = all.stream().filter(r -> !r.address().equals(drained)).toList();

    Placement handover = policy.place("eu-west", List.of(d), others, before.assigned(), Set.of(drained), Map.of());
    ReplicaId old = new ReplicaId("m", "1", 0, 0);
    ReplicaId standIn = new ReplicaId("m", "1", 0, 1);
    assertEquals(drained, handover.assigned().get(old), "the drained replica serves until replaced");
    assertNotEquals(drained, handover.assigned().get(standIn));
    assertTrue(handover.assigned().containsKey(standIn), handover.toString());
    assertEquals(handover.assigned(),
        policy.place("eu-west", List.of(d), others, handover.assigned(), Set.of(drained), Map.of(old, drained)).assigned(),
        "a stand-in not ready yet keeps the old replica");

    Map<ReplicaId, String> ready = new HashMap<>();
    handover.assigned().forEach(ready::put);
    Placement after = policy.place("eu-west", List.of(d), others, handover.assigned(), Set.of(drained), ready);
    assertTrue(after.assigned().values().stream().noneMatch(drained::equals), after.toString());
    assertEquals(handover.assigned().get(standIn), after.assigned().get(standIn));
    assertEquals(2, after.assigned().size());
    assertEquals(after.assigned(), policy.place("eu-west", List.of(d), others, after.assigned()).assigned(),
        "the stand-in keeps its number once the drain is over");
  }

  @Test
  void theLastRigOfARegionKeepsServingWhileItDrains() {
    Deployment d = deployment("m", 1, 1, 10 * MB);
    Placement alone = policy.place("af-south", List.of(d), List.of(rig("a", "z1", 100 * MB)), Map.of());
    Placement draining = policy.place("af-south", List.of(d), List.of(), alone.assigned(), Set.of("a"), Map.of());
    assertEquals(alone.assigned(), draining.assigned());
    assertTrue(draining.unplaced().isEmpty());
  }

  static Deployment deployment(String model, int partitions, int replicas, long... bytes) {
    String[] shas = new String[partitions];
    Arrays.fill(shas, "sha");
    return new Deployment(model, "1", partitions, new String[0], replicas, bytes, shas, new String[0]);
  }

  private static RigCapacity rig(String address, String zone, long budget) {
    return new RigCapacity(address, zone, budget);
  }

  /** How many replicas the placement puts on the rig at {@code address}. */
  private static long on(Placement placement, String address) {
    return placement.assigned().values().stream().filter(address::equals).count();
  }
}
