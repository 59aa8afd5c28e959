package io.rigserve.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rigserve.serving.TestRig.Reply;
import io.rigserve.serving.testmodels.TestModels;
import io.rigserve.serving.testmodels.TestTensors;
import io.rigserve.serving.trust.FaultyRuntimes;
import io.rigserve.sharding.tensor.Tensor;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Four whole rigs of four owners in one region, one of whose runtimes corrupts every output and
 * one whose floats differ slightly (other hardware). The model is verified before answering, so
 * every answer a client gets is one two owners agree on; the liar is outvoted, quarantined
 * cluster-wide, loses its replica, stays quarantined when the rig that decided it is lost, and is
 * let back by an operator.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RigTrustTest {

  private static final String TRUST = "rigserve.trust.model-rates = \"mlp=1.0\"\n";
  private static final float[] FEATURES = {1f, 0.5f, -1f, 2f};

  private final TestCluster cluster = new TestCluster();
  private final AtomicReference<FaultyRuntimes> liar = new AtomicReference<>();
  private Tensor[] expected;

  @BeforeAll
  void startFourOwners() throws Exception {
    cluster.start("alice", "eu", 53.3, -6.3, "1 GiB", TRUST + "rigserve.node.owner = alice");
    cluster.start("bob", "eu", 53.3, -6.3, "1 GiB", TRUST + "rigserve.node.owner = bob", FaultyRuntimes::otherHardware);
    cluster.start("carol", "eu", 53.3, -6.3, "1 GiB", TRUST + "rigserve.node.owner = carol");
    cluster.start("mallory", "eu", 53.3, -6.3, "1 GiB", TRUST + "rigserve.node.owner = mallory", real -> {
      liar.set(FaultyRuntimes.liar(real, 1.0, 0));
      return liar.get();
    });
    Path dir = cluster.repository("alice").resolve("mlp").resolve("1");
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.onnx"), TestModels.twoHeadMlp());
    expected = ServedModels.direct(ServedModels.MLP, TestTensors.fp32(TestModels.MLP_FEATURES, new long[] {1, 4}, FEATURES),
        TestTensors.fp32(TestModels.MLP_OFFSET, new long[] {1, 3}, 0f, 0f, 0f));
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  @Order(1)
  void everyRigShowsEachMembersOwnerAndEveryOwnerHostsAReplica() throws Exception {
    TestCluster.await(Duration.ofSeconds(20), "four owners in /admin/cluster", () -> owners("carol").size() == 4);
    assertEquals(Map.of(cluster.address("alice"), "alice", cluster.address("bob"), "bob",
        cluster.address("carol"), "carol", cluster.address("mallory"), "mallory"), owners("carol"));

    Reply load = cluster.rig("alice").post("/v2/repository/models/mlp/load",
        "{\"parameters\": {\"partitions\": 1, \"replicas_per_region\": 4}}");
    assertEquals(200, load.status(), load.body());
    TestCluster.await(Duration.ofSeconds(60), "a replica on every rig", () -> cluster.readyReplicas("mlp").size() == 4);
  }

  @Test
  @Order(2)
  void aRigThatAnswersWrongIsOutvotedQuarantinedEverywhereAndNoClientGetsItsAnswers() throws Exception {
    TestRig gateway = cluster.rig("alice");
    String mallory = cluster.address("mallory");
    for (int i = 0; i < 200 && quarantine("alice", mallory) == null; i++) {
      Reply reply = gateway.post("/v2/models/mlp/infer", body(""));
      assertEquals(200, reply.status(), reply.body());
      assertScoresExpected(reply);
    }
    assertTrue(liar.get().corrupted() > 0, "the liar answered");
    for (String rig : new String[] {"alice", "bob", "carol", "mallory"}) {
      TestCluster.await(Duration.ofSeconds(10), "quarantine known on " + rig, () -> quarantine(rig, mallory) != null);
    }
    JsonNode q = quarantine("carol", mallory);
    assertEquals("mallory", q.get("owner").asText());
    assertTrue(q.get("reason").asText().contains("arbitrations lost"), q.toString());
    assertTrue(q.get("since").asText().startsWith("20"), q.toString());

    JsonNode trust = gateway.getManagement("/admin/routing").json().get("trust");
    for (JsonNode r : trust.get("rigs")) {
      boolean isLiar = r.get("rig").asText().equals(mallory);
      assertEquals(isLiar, r.get("arbitrationsLost").asLong() > 0, r.toString());
      if (!isLiar) assertEquals(0.0, r.get("strikes").asDouble(), r.toString());
    }
    assertEquals(1, trust.get("quarantined").size(), trust.toString());

    TestCluster.await(Duration.ofSeconds(30), "the liar's replica moved away", () -> cluster.readyReplicas("mlp").stream()
        .noneMatch(r -> r.get("rig").asText().equals(mallory)) && cluster.readyReplicas("mlp").size() == 3);
  }

  @Test
  @Order(3)
  void requestsThatAreTheClientsFaultNeverCountAgainstARig() throws Exception {
    TestRig gateway = cluster.rig("alice");
    Reply invalid = gateway.post("/v2/models/mlp/infer", "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,3],"
        + "\"datatype\":\"FP32\",\"data\":[1,2,3]}]}");
    assertEquals(400, invalid.status(), invalid.body());
    for (int i = 0; i < 5; i++) {
      Reply late = gateway.post("/v2/models/mlp/infer", body(", \"parameters\": {\"timeout\": 1}"));
      assertTrue(late.status() == 200 || late.status() == 504, late.body());
    }
    for (JsonNode r : gateway.getManagement("/admin/routing").json().get("trust").get("rigs")) {
      if (!r.get("rig").asText().equals(cluster.address("mallory"))) {
        assertEquals(0, r.get("arbitrationsLost").asLong(), r.toString());
        assertEquals(0.0, r.get("strikes").asDouble(), r.toString());
      }
    }
  }

  @Test
  @Order(4)
  void theQuarantineOutlivesTheRigThatDecidedItAndAnOperatorReleasesIt() throws Exception {
    String mallory = cluster.address("mallory");
    cluster.crash("alice");
    TestCluster.await(Duration.ofSeconds(30), "alice gone from bob's view", () -> !owners("bob").containsKey(cluster.address("alice")));
    assertTrue(quarantine("bob", mallory) != null, "the quarantine survived the deciding rig");
    for (int i = 0; i < 20; i++) {
      Reply reply = cluster.rig("bob").post("/v2/models/mlp/infer", body(""));
      assertEquals(200, reply.status(), reply.body());
      assertScoresExpected(reply);
    }

    Reply unknown = cluster.rig("bob").postManagement("/admin/rigs/127.0.0.1:1/release");
    assertEquals(404, unknown.status(), unknown.body());
    Reply release = cluster.rig("bob").postManagement("/admin/rigs/" + URLEncoder.encode(mallory, StandardCharsets.UTF_8) + "/release");
    assertEquals(200, release.status(), release.body());
    TestCluster.await(Duration.ofSeconds(10), "released on carol", () -> quarantine("carol", mallory) == null);
  }

  private String body(String extra) {
    return "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,0.5,-1,2]},"
        + "{\"name\":\"offset\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[0,0,0]}]" + extra + "}";
  }

  private void assertScoresExpected(Reply reply) {
    float[] want = TestTensors.fp32Values(expected[0]);
    JsonNode outputs = reply.json().get("outputs");
    for (JsonNode o : outputs) {
      if (!o.get("name").asText().equals(TestModels.MLP_SCORES)) continue;
      float[] got = new float[want.length];
      for (int i = 0; i < got.length; i++) got[i] = (float) o.get("data").get(i).asDouble();
      assertArrayEquals(want, got, 1e-3f, reply.body());
      return;
    }
    throw new AssertionError("no scores in " + reply.body());
  }

  private Map<String, String> owners(String rig) {
    Map<String, String> owners = new HashMap<>();
    try {
      for (JsonNode m : cluster.rig(rig).getManagement("/admin/cluster").json().get("members")) {
        if (m.hasNonNull("owner") && m.get("status").asText().equals("Up")) owners.put(m.get("address").asText(), m.get("owner").asText());
      }
    } catch (Exception e) {
      return Map.of();
    }
    return owners;
  }

  private JsonNode quarantine(String rig, String address) {
    try {
      for (JsonNode m : cluster.rig(rig).getManagement("/admin/cluster").json().get("members")) {
        if (m.get("address").asText().equals(address) && m.hasNonNull("quarantine")) return m.get("quarantine");
      }
    } catch (Exception e) {
      return null;
    }
    return null;
  }
}
