package io.rigserve.serving.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.proto.onnx.StringStringEntryProto;
import io.rigserve.proto.onnx.TensorProto;
import io.rigserve.serving.TestCluster;
import io.rigserve.serving.TestRig;
import io.rigserve.serving.model.ModelDescriptor;
import io.rigserve.sharding.tensor.TensorSpec;
import io.rigserve.serving.testmodels.TestModels;
import io.rigserve.serving.transfer.ArtifactId;
import io.rigserve.serving.transfer.ArtifactStore;
import io.rigserve.sharding.ddata.LocalMapWrite;
import io.rigserve.sharding.placement.Deployment;
import io.rigserve.sharding.placement.DeploymentRegistry;
import io.rigserve.sharding.replica.ReplicaDirectory;
import io.rigserve.sharding.tensor.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
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
 * A member of the cluster publishes deployments by hand, as a hostile rig could: the rig they
 * are placed on checks them like an upload before loading anything, and says why it refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeerDeploymentTest {

  private final TestCluster cluster = new TestCluster();
  private TestRig publisher;
  private TestRig victim;
  private ArtifactStore publisherStore;

  @BeforeAll
  void startTwoRigs() throws Exception {
    publisher = cluster.start("publisher", "us-east", 39.0, -77.5, "1 GiB");
    victim = cluster.start("victim", "eu-west", 53.3, -6.3, "1 GiB");
    publisherStore = new ArtifactStore(cluster.repository("publisher").resolve(".artifacts"));
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  void aPartitionFileWhoseExternalDataEscapesItsFolderIsRefusedBeforeOnnxRuntimeOpensIt() throws Exception {
    byte[] hostile = externalDataAt("../../../../../../../../etc/passwd");
    publish("escape", hostile, hostile.length * 2L);
    publish("control", TestModels.twoHeadMlp(), 1 << 20);

    TestCluster.await(Duration.ofSeconds(60), "the control model ready on the victim",
        () -> find("control") != null && ready(find("control")));
    TestCluster.await(Duration.ofSeconds(30), "the victim refusing the hostile file", () ->
        find("escape") != null && reasons(find("escape")).contains("partition file refused"));
    String reasons = reasons(model("escape"));
    assertTrue(reasons.contains("external data") || reasons.contains("outside"), reasons);
    assertFalse(ready(model("escape")), "a hostile partition was loaded");
    assertTrue(victim.get("/v2/health/live").status() == 200);
  }

  @Test
  void aPartitionFileLargerThanItsDeploymentDeclaresIsRefused() throws Exception {
    publish("liar", TestModels.twoHeadMlp(), 10);
    TestCluster.await(Duration.ofSeconds(60), "the victim refusing the oversized file", () ->
        find("liar") != null && reasons(find("liar")).contains("more than the 10 bytes its deployment declares"));
    assertFalse(ready(model("liar")));
  }

  @Test
  void aDeploymentBeyondSaneBoundsIsIgnoredByEveryRig() throws Exception {
    String sha = "a".repeat(64);
    long[] sizes = new long[1100];
    Arrays.fill(sizes, 1);
    String[] shas = new String[1100];
    Arrays.fill(shas, "s");
    Deployment huge = new Deployment("huge", "1", 1100, new String[] {"eu-west"}, 1, sizes, shas, new String[] {dataPlane()});
    Deployment dots = new Deployment("..", "1", 1, new String[] {"eu-west"}, 1, new long[] {1}, new String[] {sha},
        new String[] {dataPlane()});
    // The registry refuses to publish them; a hostile rig writes the map itself.
    assertThrows(ExecutionException.class, () ->
        DeploymentRegistry.get(publisher.rig.system()).publish(huge).toCompletableFuture().get(10, TimeUnit.SECONDS));
    writeBehindTheRegistrysBack(huge);
    writeBehindTheRegistrysBack(dots);
    publish("sane", TestModels.twoHeadMlp(), 1 << 20);

    TestCluster.await(Duration.ofSeconds(60), "the sane model listed on the victim", () -> find("sane") != null);
    assertTrue(find("huge") == null && find("..") == null, "an insane deployment is listed");
    TestCluster.await(Duration.ofSeconds(30), "the sane model placed", () ->
        ReplicaDirectory.get(victim.rig.system()).snapshot().replicas().stream().anyMatch(r -> r.id().model().equals("sane")));
    assertTrue(ReplicaDirectory.get(victim.rig.system()).snapshot().replicas().stream()
        .noneMatch(r -> r.id().model().equals("huge") || r.id().model().equals("..")), "placement acted on an insane deployment");
    for (JsonNode r : find("sane").get("replicas")) assertTrue(r.get("region").asText().equals("eu-west"));
    assertTrue(victim.getManagement("/admin/models").json().get("models").size() < 10);
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

  /** Publishes {@code onnx} as model {@code name}, K=1, placed on the victim's region only. */
  private void publish(String name, byte[] onnx, long declaredMemory) throws Exception {
    String sha = publisherStore.put(new ArtifactId(name, "1", 0), onnx);
    byte[] descriptor = new ModelDescriptor(
        List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 3})),
        List.of(new TensorSpec("y", DataType.FP32, new long[] {-1, 3})),
        List.of(new ModelDescriptor.Stage(List.of("x"), List.of("y")))).toBytes();
    Deployment d = new Deployment(name, "1", 1, new String[] {"eu-west"}, 1, new long[] {declaredMemory},
        new String[] {sha}, new String[] {dataPlane()}, descriptor);
    DeploymentRegistry.get(publisher.rig.system()).publish(d).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private String dataPlane() {
    return publisher.rig.rigSettings().dataPlaneUrl();
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

  private JsonNode model(String name) {
    JsonNode m = find(name);
    if (m == null) throw new AssertionError("the victim does not list " + name);
    return m;
  }

  private static boolean ready(JsonNode model) {
    return model.get("ready").asBoolean();
  }

  private static String reasons(JsonNode model) {
    StringBuilder out = new StringBuilder();
    for (JsonNode r : model.get("replicas")) out.append(r.get("reason").asText()).append('\n');
    return out.toString();
  }

  /** The external-data test model with its weights' location replaced by {@code location}. */
  private static byte[] externalDataAt(String location) throws Exception {
    Path dir = Files.createTempDirectory("ext");
    ModelProto.Builder b = ModelProto.parseFrom(Files.readAllBytes(TestModels.writeExternalDataModel(dir, DataType.FP32)))
        .toBuilder();
    TensorProto.Builder w = b.getGraphBuilder().getInitializerBuilder(0);
    for (int i = 0; i < w.getExternalDataCount(); i++) {
      if (w.getExternalData(i).getKey().equals("location")) {
        w.setExternalData(i, StringStringEntryProto.newBuilder().setKey("location").setValue(location));
      }
    }
    return b.build().toByteArray();
  }
}
