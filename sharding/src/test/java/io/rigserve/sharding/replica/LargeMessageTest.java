package io.rigserve.sharding.replica;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

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
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A 64 MiB stage input and its 64 MiB answer cross between rigs of two regions. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeMessageTest {

  private final ClusterHarness harness = ClusterHarness.create();

  @AfterAll
  void stop() {
    harness.close();
  }

  @Test
  void aSixtyFourMebibyteTensorGoesToAReplicaOnAnotherRigAndBack() throws Exception {
    harness.startCluster(1, Region.US_EAST, Region.EU_WEST);
    Rig gateway = harness.rigsIn(Region.US_EAST).get(0);
    PartitionRuntimes echo = new PartitionRuntimes() {
      @Override
      public CompletionStage<PartitionRuntime> open(ReplicaId id) {
        return CompletableFuture.completedFuture((inputs, outputs) -> new Tensor[] {inputs[0].renamed("y")});
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
    Deployment big = new Deployment("big", "1", 1, new String[] {"eu-west"}, 1, new long[] {1 << 20},
        new String[] {"sha"}, new String[0]);
    DeploymentRegistry.get(gateway.system()).publish(big).toCompletableFuture().get(10, TimeUnit.SECONDS);
    Eventually.await(Duration.ofSeconds(30), "the replica ready in eu-west", () ->
        ReplicaDirectory.get(gateway.system()).snapshot().ofPartition("big", "1", 0).stream()
            .anyMatch(r -> r.region().equals("eu-west") && r.isReady()));
    EntityRef<PartitionReplica.Command> replica =
        gatewaySharding.refFor(ReplicaId.parse("big@1/p0/r0"), "eu-west");

    byte[] data = new byte[64 << 20];
    new Random(1).nextBytes(data);
    Tensor input = new Tensor("x", DataType.FP32, new long[] {16 << 20}, data);
    StageResult result = replica.<StageResult>ask(
            replyTo -> new PartitionReplica.Run(new StageInput(new Tensor[] {input}, new String[0]),
                System.currentTimeMillis() + 60_000, replyTo),
            Duration.ofSeconds(60))
        .toCompletableFuture().get(90, TimeUnit.SECONDS);

    StageResult.Output output = assertInstanceOf(StageResult.Output.class, result);
    assertArrayEquals(sha256(data), sha256(output.tensors()[0].data()));
  }

  private static byte[] sha256(byte[] data) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }
}
