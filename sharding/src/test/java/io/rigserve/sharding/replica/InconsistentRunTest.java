package io.rigserve.sharding.replica;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.cluster.testkit.ClusterHarness;
import io.rigserve.cluster.testkit.ClusterHarness.Region;
import io.rigserve.cluster.testkit.Eventually;
import io.rigserve.cluster.testkit.Rig;
import io.rigserve.sharding.placement.Deployment;
import io.rigserve.sharding.placement.DeploymentRegistry;
import io.rigserve.sharding.placement.PlacementController;
import io.rigserve.sharding.placement.PlacementSettings;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Stage inputs come from other rigs: a replica on another rig refuses tensors whose data disagree
 * with their shapes as the sender's fault, never runs them, and keeps serving.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InconsistentRunTest {

  private final ClusterHarness harness = ClusterHarness.create();

  @AfterAll
  void stop() {
    harness.close();
  }

  @Test
  void aReplicaOnAnotherRigRefusesTensorsThatDisagreeWithTheirShapesAndKeepsServing() throws Exception {
    harness.startCluster(1, Region.US_EAST, Region.EU_WEST);
    Rig gateway = harness.rigsIn(Region.US_EAST).get(0);
    AtomicInteger runs = new AtomicInteger();
    PartitionRuntimes echo = new PartitionRuntimes() {
      @Override
      public CompletionStage<PartitionRuntime> open(ReplicaId id) {
        return CompletableFuture.completedFuture((inputs, outputs) -> {
          runs.incrementAndGet();
          return new Tensor[] {inputs[0].renamed("y")};
        });
      }

      @Override
      public void close(ReplicaId id) {}
    };
    ReplicaSharding gatewaySharding = null;
    for (Rig rig : harness.rigs()) {
      PlacementSettings placement = PlacementSettings.from(rig.system().settings().config());
      ReplicaSharding sharding = ReplicaSharding.start(rig.system(), echo,
          ReplicaSettings.from(rig.system().settings().config()), placement.moves());
      PlacementController.init(rig.system(), rig.cluster().topology(), placement);
      if (rig == gateway) gatewaySharding = sharding;
    }
    Deployment d = new Deployment("echo", "1", 1, new String[] {"eu-west"}, 1, new long[] {1 << 10},
        new String[] {"a".repeat(64)}, new String[0]);
    DeploymentRegistry.get(gateway.system()).publish(d).toCompletableFuture().get(10, TimeUnit.SECONDS);
    Eventually.await(Duration.ofSeconds(30), "the replica ready in eu-west", () ->
        ReplicaDirectory.get(gateway.system()).snapshot().ofPartition("echo", "1", 0).stream()
            .anyMatch(r -> r.region().equals("eu-west") && r.isReady()));
    EntityRef<PartitionReplica.Command> replica = gatewaySharding.refFor(ReplicaId.parse("echo@1/p0/r0"), "eu-west");

    byte[] lyingBytes = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 1};
    List<Tensor> hostile = List.of(
        new Tensor("short", DataType.FP32, new long[] {1 << 20}, new byte[8]),
        new Tensor("negative", DataType.FP32, new long[] {-2, -1}, new byte[8]),
        new Tensor("overflow", DataType.FP64, new long[] {1L << 31, 1L << 31, 1L << 2}, new byte[0]),
        new Tensor("framing", DataType.BYTES, new long[] {1}, lyingBytes));
    for (Tensor t : hostile) {
      StageResult.Failed failed = assertInstanceOf(StageResult.Failed.class, run(replica, t), t.name());
      assertEquals(StageResult.Reason.INVALID_INPUT, failed.reason(), failed.message());
      assertTrue(failed.message().contains("refused the stage") && failed.message().contains(t.name()), failed.message());
    }
    assertEquals(0, runs.get(), "the runtime saw a refused stage");

    Tensor valid = new Tensor("x", DataType.FP32, new long[] {2}, new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x40});
    StageResult.Output output = assertInstanceOf(StageResult.Output.class, run(replica, valid));
    assertArrayEquals(valid.data(), output.tensors()[0].data());
    assertEquals(1, runs.get());
  }

  private static StageResult run(EntityRef<PartitionReplica.Command> replica, Tensor input) throws Exception {
    return replica.<StageResult>ask(
            replyTo -> new PartitionReplica.Run(new StageInput(new Tensor[] {input}, new String[0]),
                System.currentTimeMillis() + 20_000, replyTo),
            Duration.ofSeconds(20))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
