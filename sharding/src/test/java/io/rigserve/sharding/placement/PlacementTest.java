package io.rigserve.sharding.placement;

import static io.rigserve.cluster.testkit.ClusterHarness.Region.EU_WEST;
import static io.rigserve.cluster.testkit.ClusterHarness.Region.SA_EAST;
import static io.rigserve.cluster.testkit.ClusterHarness.Region.US_EAST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.testkit.ClusterHarness;
import io.rigserve.cluster.testkit.ClusterHarness.Region;
import io.rigserve.cluster.testkit.Eventually;
import io.rigserve.cluster.testkit.Rig;
import io.rigserve.sharding.replica.DirectorySnapshot;
import io.rigserve.sharding.replica.InMemoryRuntimes;
import io.rigserve.sharding.replica.PartitionReplica;
import io.rigserve.sharding.replica.PartitionRuntime;
import io.rigserve.sharding.replica.ReplicaDirectory;
import io.rigserve.sharding.replica.ReplicaId;
import io.rigserve.sharding.replica.ReplicaLocation;
import io.rigserve.sharding.replica.ReplicaSettings;
import io.rigserve.sharding.replica.ReplicaSharding;
import io.rigserve.sharding.replica.ReplicaState;
import io.rigserve.sharding.replica.StageInput;
import io.rigserve.sharding.replica.StageResult;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Placement on a real multi-region cluster in one JVM: three regions whose rigs run the replica
 * shard region, the replica host and the placement controller, with in-memory runtimes that
 * answer with the address of the rig they run on. The tests share one cluster and run in order:
 * deploy, serve across regions, lose a rig, gain a rig.
 *
 * <p>Budgets force the spread. A partition needs 400 MiB: us-east and eu-west rigs offer
 * 1536 MiB (three partitions each at most), sa-east rigs 900 and 500 MiB (two and one).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlacementTest {

  private static final long MIB = 1L << 20;
  private static final long PARTITION_BYTES = 400 * MIB;
  private static final long LARGE_RIG = 1536 * MIB;
  private static final Duration SETTLE = Duration.ofSeconds(25);

  private static final Config TIMINGS = ConfigFactory.parseString("""
      rigserve.placement.interval = 300ms
      rigserve.placement.rebalance-interval = 500ms
      rigserve.replica.load-retry-min = 200ms
      pekko.cluster.distributed-data.gossip-interval = 200ms
      pekko.cluster.distributed-data.notify-subscribers-interval = 100ms
      pekko.cluster.sharding.retry-interval = 300ms
      """);

  private static final Deployment MODEL = new Deployment("resnet", "1", 3, new String[0], 2,
      new long[] {PARTITION_BYTES, PARTITION_BYTES, PARTITION_BYTES}, new String[] {"s0", "s1", "s2"}, new String[0]);

  private final ClusterHarness harness = ClusterHarness.create(TIMINGS);
  private final Map<String, ReplicaSharding> shardingOf = new ConcurrentHashMap<>();
  private final Map<String, Long> budgetOf = new ConcurrentHashMap<>();
  private final Map<String, InMemoryRuntimes> runtimesOf = new ConcurrentHashMap<>();

  @BeforeAll
  void startThreeRegions() {
    List<Rig> rigs = new ArrayList<>();
    for (int i = 0; i < 3; i++) rigs.add(startRig(US_EAST, LARGE_RIG));
    for (int i = 0; i < 2; i++) rigs.add(startRig(EU_WEST, LARGE_RIG));
    rigs.add(startRig(SA_EAST, 900 * MIB));
    rigs.add(startRig(SA_EAST, 500 * MIB));
    harness.join(rigs);
    harness.awaitConverged(rigs);
  }

  @AfterAll
  void stop() {
    harness.close();
  }

  @Test
  @Order(1)
  void aDeploymentIsLoadedOnTheRigsItsRegionPlacedItOnWithinTheirBudgets() throws Exception {
    DeploymentRegistry farAway = DeploymentRegistry.get(rigsIn(SA_EAST).get(0).system());
    List<Deployment> heard = new CopyOnWriteArrayList<>();
    Cancellable listening = farAway.subscribe(all -> heard.addAll(all.values()));

    DeploymentRegistry.get(rigsIn(EU_WEST).get(0).system()).publish(MODEL).toCompletableFuture().get(5, TimeUnit.SECONDS);

    Eventually.await(SETTLE, "the deployment known in sa-east", () ->
        MODEL.equals(farAway.current().toCompletableFuture().join().get(MODEL.key())) && heard.contains(MODEL));
    listening.cancel();

    for (Region region : List.of(US_EAST, EU_WEST)) {
      List<ReplicaLocation> placed = awaitServed(region, 6);
      // Replicas of one partition on different rigs: with two replicas each, every rig gets two.
      Map<String, Long> perRig = countPerRig(placed);
      Map<String, Long> expected = new HashMap<>();
      int rigs = rigsIn(region).size();
      rigsIn(region).forEach(r -> expected.put(r.address().toString(), 6L / rigs));
      assertEquals(expected, perRig, region.name());
    }
  }

  @Test
  @Order(2)
  void aRegionShortOfMemoryPlacesWhatFitsAndNamesTheReplicasItCannotPlace() {
    List<ReplicaLocation> placed = awaitServed(SA_EAST, 3);
    List<ReplicaLocation> unplaced = directory().replicas().stream().filter(r -> r.region().equals(SA_EAST.name()))
        .filter(r -> r.state() == ReplicaState.UNPLACED).toList();
    assertEquals(3, unplaced.size(), unplaced.toString());
    unplaced.forEach(r -> assertTrue(r.reason().contains("capacity short"), r.toString()));
    // 900 MiB takes two partitions, 500 MiB one.
    assertEquals(Set.of(2L, 1L), new HashSet<>(countPerRig(placed).values()));
  }

  @Test
  @Order(3)
  void aRunSentToAnotherRegionIsAnsweredByThatRegionsReplica() throws Exception {
    Rig gateway = rigsIn(US_EAST).get(0);
    ReplicaId id = new ReplicaId("resnet", "1", 1, 0);
    String placedInEuWest = directory().replicas().stream().filter(r -> r.region().equals(EU_WEST.name()))
        .filter(r -> r.id().equals(id)).findFirst().orElseThrow().address();

    String answeredBy = run(shardingOf.get(gateway.name()).refFor(id, EU_WEST.name()));

    assertEquals(placedInEuWest, answeredBy);
    assertTrue(rigsIn(EU_WEST).stream().anyMatch(r -> r.address().toString().equals(answeredBy)));
  }

  @Test
  @Order(4)
  void theReplicasOfACrashedRigAreLoadedAgainOnTheOtherRigsOfItsRegion() throws Exception {
    Rig victim = rigsIn(US_EAST).get(2); // not the oldest: the controller stays where it is
    String lost = victim.address().toString();
    harness.crash(victim);

    // Every partition keeps a replica on a surviving rig, so the model stays served meanwhile.
    for (int p = 0; p < MODEL.partitions(); p++) {
      int partition = p;
      ReplicaLocation survivor = directory().replicas().stream().filter(r -> r.region().equals(US_EAST.name()))
          .filter(r -> r.id().partition() == partition && !r.address().equals(lost))
          .findFirst().orElseThrow(() -> new AssertionError("partition " + partition + " was only on " + lost));
      assertEquals(survivor.address(), run(shardingOf.get(rigsIn(US_EAST).get(0).name()).refFor(survivor.id())));
    }

    List<ReplicaLocation> placed = awaitServed(US_EAST, 6);
    assertTrue(placed.stream().noneMatch(r -> r.address().equals(lost)), placed.toString());
    assertEquals(Set.of(3L), new HashSet<>(countPerRig(placed).values()));
  }

  @Test
  @Order(5)
  void aRigJoiningARegionReceivesReplicasOneMoveAtATime() {
    Rig observer = rigsIn(EU_WEST).get(0);
    Rig joining = startRig(EU_WEST, LARGE_RIG);
    String address = joining.address().toString();
    harness.join(List.of(joining));

    // One move per round is the policy's rule (PlacementPolicyTest); here gossip may fold two rounds
    // into one observation, so the check is that the new rig fills up without ever overshooting.
    List<Integer> seen = new ArrayList<>();
    Eventually.await(SETTLE, "two replicas moved to " + joining, () -> {
      int here = (int) ReplicaDirectory.get(observer.system()).snapshot().replicas().stream().filter(r -> r.region().equals(EU_WEST.name()))
          .filter(r -> r.address().equals(address)).count();
      if (seen.isEmpty() || seen.get(seen.size() - 1) != here) seen.add(here);
      return here == 2;
    });
    assertTrue(seen.stream().allMatch(n -> n <= 2), "replicas on the new rig over time: " + seen);

    // Rounds keep evening the region out; it settles at two replicas on each of its three rigs.
    Eventually.assertWithin(SETTLE, () ->
        assertEquals(Set.of(2L), new HashSet<>(countPerRig(awaitServed(EU_WEST, 6)).values())));
  }

  @Test
  @Order(6)
  void aRemovedDeploymentLeavesEveryRegionAndItsRuntimesAreClosed() throws Exception {
    DeploymentRegistry.get(rigsIn(US_EAST).get(0).system()).remove(MODEL.key()).toCompletableFuture().get(5, TimeUnit.SECONDS);

    Eventually.assertWithin(SETTLE, () -> {
      assertEquals(List.of(), directory().replicas());
      for (Rig rig : harness.rigs()) {
        if (rig.isCrashed()) continue;
        InMemoryRuntimes runtimes = runtimesOf.get(rig.address().toString());
        assertFalse(runtimes.opened().isEmpty(), rig + " never loaded a replica");
        assertEquals(runtimes.opened(), Set.copyOf(runtimes.closed()), rig + " keeps runtimes open");
      }
    });
  }

  // ---- starting rigs, waiting, asking ----

  private Rig startRig(Region region, long budget) {
    Rig rig = harness.startRig(region, ConfigFactory.parseString("rigserve.node.capacity.model-memory = " + budget));
    String address = rig.address().toString();
    InMemoryRuntimes runtimes = new InMemoryRuntimes(id -> answeringAs(address), Duration.ofMillis(150));
    runtimesOf.put(address, runtimes);
    PlacementSettings placement = PlacementSettings.from(rig.system().settings().config());
    shardingOf.put(rig.name(), ReplicaSharding.start(rig.system(), runtimes,
        ReplicaSettings.from(rig.system().settings().config()), placement.moves()));
    PlacementController.init(rig.system(), rig.cluster().topology(), placement);
    budgetOf.put(address, budget);
    return rig;
  }

  /** A runtime whose only output names the rig it runs on. */
  private static PartitionRuntime answeringAs(String address) {
    byte[] name = address.getBytes(StandardCharsets.UTF_8);
    return (inputs, outputs) -> new Tensor[] {new Tensor("served-by", DataType.UINT8, new long[] {name.length}, name)};
  }

  /**
   * Waits until {@code count} replicas of the region are placed and READY, each on a different
   * rig than the other replicas of its partition, within every rig's budget, and each answering a
   * run from the rig the placement names. Returns them.
   */
  private List<ReplicaLocation> awaitServed(Region region, int count) {
    List<List<ReplicaLocation>> result = new ArrayList<>();
    Eventually.assertWithin(SETTLE, () -> {
      List<ReplicaLocation> placed = directory().replicas().stream().filter(r -> r.region().equals(region.name()))
          .filter(r -> r.state() != ReplicaState.UNPLACED).toList();
      assertEquals(count, placed.size(), region.name() + ": " + placed);
      placed.forEach(r -> assertEquals(ReplicaState.READY, r.state(), r.toString()));
      Map<Integer, List<String>> rigsOfPartition = placed.stream().collect(Collectors.groupingBy(
          r -> r.id().partition(), Collectors.mapping(ReplicaLocation::address, Collectors.toList())));
      rigsOfPartition.forEach((p, rigs) -> assertEquals(rigs.size(), new HashSet<>(rigs).size(), "partition " + p + " " + rigs));
      countPerRig(placed).forEach((rig, n) -> assertTrue(n * PARTITION_BYTES <= budgetOf.get(rig), rig + " over budget"));
      ReplicaSharding sharding = shardingOf.get(rigsIn(region).get(0).name());
      for (ReplicaLocation r : placed) {
        assertEquals(r.address(), run(sharding.refFor(r.id())), r.toString());
      }
      result.add(placed);
    });
    return result.get(result.size() - 1);
  }

  private static String run(EntityRef<PartitionReplica.Command> replica) {
    try {
      StageInput input = new StageInput(new Tensor[] {new Tensor("x", DataType.UINT8, new long[] {1}, new byte[] {1})},
          new String[0]);
      StageResult result = replica.<StageResult>ask(
              replyTo -> new PartitionReplica.Run(input, System.currentTimeMillis() + 3_000, replyTo), Duration.ofSeconds(3))
          .toCompletableFuture().get(4, TimeUnit.SECONDS);
      return new String(assertInstanceOf(StageResult.Output.class, result, result.toString()).tensors()[0].data(),
          StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw new AssertionError("no answer from " + replica.getEntityId() + ": " + e, e);
    }
  }

  /** The directory as an sa-east rig sees it: what us-east and eu-west write arrives by gossip. */
  private DirectorySnapshot directory() {
    Rig reader = rigsIn(SA_EAST).get(0);
    return ReplicaDirectory.get(reader.system()).snapshot();
  }

  private List<Rig> rigsIn(Region region) {
    return harness.rigsIn(region).stream().filter(r -> !r.isCrashed()).toList();
  }

  private static Map<String, Long> countPerRig(List<ReplicaLocation> placed) {
    return placed.stream().collect(Collectors.groupingBy(ReplicaLocation::address, Collectors.counting()));
  }
}
