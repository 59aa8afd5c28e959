package io.rigserve.serving.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rigserve.cluster.security.DeployKeys;
import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.serving.TestCluster;
import io.rigserve.serving.TestRig;
import io.rigserve.serving.model.ModelDescriptor;
import io.rigserve.serving.testmodels.TestModels;
import io.rigserve.serving.transfer.ArtifactId;
import io.rigserve.serving.transfer.ArtifactStore;
import io.rigserve.sharding.ddata.LocalMapWrite;
import io.rigserve.sharding.placement.Deployment;
import io.rigserve.sharding.placement.DeploymentRegistry;
import io.rigserve.sharding.replica.ReplicaDirectory;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two rigs that trust one operator key; only the publisher holds its private half. Deployments
 * that key did not sign, or that were changed after it signed them, are never placed or loaded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignedDeploymentTest {

  private final TestCluster cluster = new TestCluster();
  private final KeyPair operator = ed25519();
  private final KeyPair stranger = ed25519();
  private TestRig publisher;
  private TestRig victim;
  private ArtifactStore publisherStore;

  @BeforeAll
  void startTwoRigsTrustingTheOperatorsKey() throws Exception {
    Path keys = Files.createTempDirectory("deploy-keys");
    Path trusted = Files.writeString(keys.resolve("trusted"), "# the operator\n"
        + Base64.getEncoder().encodeToString(operator.getPublic().getEncoded()) + "\n");
    Path privateKey = Files.writeString(keys.resolve("deploy.key"), "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(operator.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    String trusting = "rigserve.security.trusted-deploy-keys-file = \"" + trusted.toString().replace("\\", "/") + "\"\n";
    publisher = cluster.start("publisher", "us-east", 39.0, -77.5, "1 GiB",
        trusting + "rigserve.security.deploy-key-file = \"" + privateKey.toString().replace("\\", "/") + "\"\n");
    victim = cluster.start("victim", "eu-west", 53.3, -6.3, "1 GiB", trusting);
    publisherStore = new ArtifactStore(cluster.repository("publisher").resolve(".artifacts"));
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  void onlyADeploymentSignedByATrustedKeyAndUnchangedSinceIsServed() throws Exception {
    DeploymentRegistry registry = DeploymentRegistry.get(publisher.rig.system());
    Deployment unsigned = deployment("unsigned", TestModels.twoHeadMlp());
    assertThrows(ExecutionException.class, () -> registry.publish(unsigned).toCompletableFuture().get(10, TimeUnit.SECONDS),
        "the registry published a deployment no trusted key signed");
    writeBehindTheRegistrysBack(unsigned);
    DeployKeys strangersKeys = DeployKeys.of(Optional.of(stranger.getPrivate()), List.of(stranger.getPublic()));
    Deployment foreign = deployment("foreign", TestModels.twoHeadMlp());
    writeBehindTheRegistrysBack(foreign.signed(
        DeployKeys.keyId(stranger.getPublic()), strangersKeys.sign(foreign.signedContent()).orElseThrow().signature()));
    Deployment signed = registry.signed(deployment("altered", TestModels.twoHeadMlp()));
    String otherSha = publisherStore.put(new ArtifactId("altered", "1", 0), otherModel());
    writeBehindTheRegistrysBack(new Deployment(signed.model(), signed.version(), 1, signed.regions(), 1, signed.partitionBytes(),
        new String[] {otherSha}, signed.origins(), signed.descriptor(), signed.signedBy(), signed.signature()));
    registry.publish(registry.signed(deployment("trusted", TestModels.twoHeadMlp()))).toCompletableFuture().get(10, TimeUnit.SECONDS);

    TestCluster.await(Duration.ofSeconds(60), "the trusted model ready on the victim",
        () -> find("trusted") != null && find("trusted").get("ready").asBoolean());
    DeploymentRegistry victims = DeploymentRegistry.get(victim.rig.system());
    TestCluster.await(Duration.ofSeconds(10), "the victim naming every refusal", () ->
        victims.refusal("unsigned@1").isPresent() && victims.refusal("foreign@1").isPresent() && victims.refusal("altered@1").isPresent());
    assertTrue(victims.refusal("unsigned@1").get().contains("not signed"), victims.refusal("unsigned@1").get());
    assertTrue(victims.refusal("foreign@1").get().contains("does not trust"), victims.refusal("foreign@1").get());
    assertTrue(victims.refusal("altered@1").get().contains("does not match"), victims.refusal("altered@1").get());
    for (String refused : List.of("unsigned", "foreign", "altered")) {
      assertNull(find(refused), refused + " is listed on the victim");
      assertTrue(ReplicaDirectory.get(victim.rig.system()).snapshot().replicas().stream()
          .noneMatch(r -> r.id().model().equals(refused)), refused + " was placed");
    }
  }

  @Test
  void aRigWithoutTheDeployKeyCanNeitherPublishNorWithdraw() throws Exception {
    DeploymentRegistry victims = DeploymentRegistry.get(victim.rig.system());
    Deployment own = victims.signed(deployment("mine", TestModels.twoHeadMlp()));
    assertEquals("", own.signedBy(), "a rig without a deploy key signed");
    ExecutionException publish = assertThrows(ExecutionException.class,
        () -> victims.publish(own).toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertTrue(publish.getCause().getMessage().contains("not signed"), publish.getCause().getMessage());
    ExecutionException withdraw = assertThrows(ExecutionException.class,
        () -> victims.remove("mine@1").toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertTrue(withdraw.getCause().getMessage().contains("not withdrawn"), withdraw.getCause().getMessage());
  }

  /** Model {@code name} version 1 of {@code onnx} (stored on the publisher), K=1, placed on the victim's region only. */
  private Deployment deployment(String name, byte[] onnx) throws Exception {
    String sha = publisherStore.put(new ArtifactId(name, "1", 0), onnx);
    byte[] descriptor = new ModelDescriptor(
        List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 3})),
        List.of(new TensorSpec("y", DataType.FP32, new long[] {-1, 3})),
        List.of(new ModelDescriptor.Stage(List.of("x"), List.of("y")))).toBytes();
    return new Deployment(name, "1", 1, new String[] {"eu-west"}, 1, new long[] {1 << 20},
        new String[] {sha}, new String[] {publisher.rig.rigSettings().dataPlaneUrl()}, descriptor);
  }

  /** Puts {@code d} into the cluster-wide map directly, as a rig that skips every check would. */
  private void writeBehindTheRegistrysBack(Deployment d) throws Exception {
    ActorSystem<?> system = publisher.rig.system();
    DistributedData ddata = DistributedData.get(system);
    AskPattern.<Replicator.Command, Replicator.UpdateResponse<LWWMap<String, Deployment>>>ask(
            ddata.replicator(),
            replyTo -> LocalMapWrite.update(DeploymentRegistry.KEY, ddata.selfUniqueAddress(), replyTo,
                (current, write) -> write.put(d.key(), d)),
            Duration.ofSeconds(5), system.scheduler())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The two-head model under another doc string: another valid file, another sha256. */
  private static byte[] otherModel() throws Exception {
    return ModelProto.parseFrom(TestModels.twoHeadMlp()).toBuilder()
        .setDocString("altered after signing")
        .build().toByteArray();
  }

  /** The model as the victim's {@code /admin/models} shows it, or null. */
  private JsonNode find(String name) {
    try {
      for (JsonNode m : victim.getManagement("/admin/models").json().get("models")) {
        if (m.get("name").asText().equals(name)) return m;
      }
      return null;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair ed25519() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
