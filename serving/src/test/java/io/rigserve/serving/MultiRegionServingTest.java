package io.rigserve.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.rigserve.proto.inference.GRPCInferenceServiceClient;
import io.rigserve.proto.inference.ModelInferRequest;
import io.rigserve.proto.inference.ModelInferResponse;
import io.rigserve.serving.TestRig.Reply;
import io.rigserve.serving.onnx.OnnxGraphBuilder;
import io.rigserve.serving.testmodels.TestModels;
import io.rigserve.serving.testmodels.TestTensors;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Whole rigs (REST, gRPC, management, data plane) in three regions plus a small fourth, in one
 * JVM: a model cut into three stages, two replicas of each per region, fetched from the rig that
 * deployed it, served from every rig, surviving the loss of a rig.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiRegionServingTest {

  private final TestCluster cluster = new TestCluster();
  private final List<String> order = new ArrayList<>();

  @BeforeAll
  void startFourRegions() throws Exception {
    start("us-east-0", "us-east", 39.0, -77.5, "4 GiB");
    // Three rigs in us-east, so that losing one leaves a majority there (with two, a tie could down the survivor).
    for (String[] r : new String[][] {{"us-east-1", "us-east", "39.0", "-77.5"}, {"us-east-2", "us-east", "39.0", "-77.5"},
        {"eu-west-0", "eu-west", "53.3", "-6.3"},
        {"eu-west-1", "eu-west", "53.3", "-6.3"}, {"sa-east-0", "sa-east", "-23.5", "-46.6"}, {"sa-east-1", "sa-east", "-23.5", "-46.6"}}) {
      start(r[0], r[1], Double.parseDouble(r[2]), Double.parseDouble(r[3]), "4 GiB");
    }
    // Room for one stage only: the region must borrow the others.
    start("af-south-0", "af-south", -33.9, 18.4, "100 MiB");
    Path dir = cluster.repository("us-east-0").resolve("conv").resolve("1");
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.onnx"), TestModels.convNet());
    Path big = cluster.repository("us-east-0").resolve("big").resolve("1");
    Files.createDirectories(big);
    Files.write(big.resolve("model.onnx"), doubler());
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  @Order(1)
  void aModelCutInThreeIsPlacedTwicePerRegionAndAnswersLikeTheWholeModelFromEveryRig() throws Exception {
    Reply load = rig("us-east-0").post("/v2/repository/models/conv/load",
        "{\"parameters\": {\"partitions\": 3, \"replicas_per_region\": 2, \"regions\": \"us-east,eu-west,sa-east,af-south\"}}");
    assertEquals(200, load.status(), load.body());

    await(Duration.ofSeconds(60), "every placeable replica ready", () -> readyReplicas("conv").size() == 19);
    // Three us-east rigs: the region's two replicas of each partition go to different rigs.
    JsonNode model = model("conv");
    assertEquals(3, model.get("partitions").asInt());
    assertEquals(2, model.get("replicasPerRegion").asInt());
    Map<String, Set<String>> rigsOfPartition = new HashMap<>();
    for (JsonNode r : model.get("replicas")) {
      if (!r.get("state").asText().equals("ready")) continue;
      String key = r.get("region").asText() + "/p" + r.get("partition").asInt();
      assertTrue(rigsOfPartition.computeIfAbsent(key, k -> new HashSet<>()).add(r.get("rig").asText()),
          "two replicas of " + key + " on one rig: " + model);
    }
    for (String region : List.of("us-east", "eu-west", "sa-east")) {
      for (int p = 0; p < 3; p++) assertEquals(2, rigsOfPartition.get(region + "/p" + p).size(), region + " p" + p);
    }
    assertEquals(1, rigsOfPartition.keySet().stream().filter(k -> k.startsWith("af-south")).count(), model.toString());
    assertTrue(model.toString().contains("capacity short in af-south"), model.toString());

    float[] image = image();
    Tensor[] whole = ServedModels.direct(ServedModels.CONV, TestTensors.fp32("image", new long[] {1, 1, 8, 8}, image));
    for (String name : order) {
      Reply reply = rig(name).post("/v2/models/conv/infer", "{\"inputs\":[{\"name\":\"image\",\"shape\":[1,1,8,8],"
          + "\"datatype\":\"FP32\",\"data\":" + Arrays.toString(image) + "}]}");
      assertEquals(200, reply.status(), name + ": " + reply.body());
      assertArrayEquals(TestTensors.fp32Values(whole[0]), floats(reply.json().get("outputs").get(0).get("data")), name);
    }
  }

  @Test
  @Order(2)
  void inSteadyStateEveryStageStaysInTheGatewaysRegionSpreadOverItsReplicas() throws Exception {
    TestRig gateway = rig("eu-west-0");
    String body = "{\"inputs\":[{\"name\":\"image\",\"shape\":[1,1,8,8],\"datatype\":\"FP32\",\"data\":"
        + Arrays.toString(image()) + "}]}";
    for (int i = 0; i < 40; i++) {
      Reply reply = gateway.post("/v2/models/conv/infer", body);
      assertEquals(200, reply.status(), reply.body());
    }
    Map<String, Long> sentByReplica = new HashMap<>();
    long sentElsewhere = 0;
    for (JsonNode r : gateway.getManagement("/admin/routing").json().get("replicas")) {
      if (!r.get("id").asText().startsWith("conv@")) continue;
      if (r.get("region").asText().equals("eu-west")) {
        sentByReplica.put(r.get("id").asText(), r.get("sent").asLong());
      } else {
        sentElsewhere += r.get("sent").asLong();
      }
      assertEquals(0, r.get("failed").asLong(), r.toString());
    }
    assertEquals(0, sentElsewhere, "stages left the gateway's region");
    assertTrue(sentByReplica.values().stream().mapToLong(Long::longValue).sum() >= 120, sentByReplica.toString());
    assertEquals(6, sentByReplica.size(), "every eu-west replica took stages: " + sentByReplica);

    // The same seen per partition: each of conv's three stages went to eu-west only, as many times as its replicas counted.
    JsonNode routing = gateway.getManagement("/admin/routing").json();
    long sentToPartitions = 0;
    int partitions = 0;
    for (JsonNode p : routing.get("partitions")) {
      if (!p.get("model").asText().equals("conv")) continue;
      partitions++;
      List<String> regions = p.get("byRegion").properties().stream().map(Map.Entry::getKey).toList();
      assertEquals(List.of("eu-west"), regions, p.toString());
      sentToPartitions += p.get("byRegion").get("eu-west").asLong();
      assertTrue(p.get("last").asText().contains(" in eu-west "), p.toString());
    }
    assertEquals(3, partitions, routing.toString());
    assertEquals(sentByReplica.values().stream().mapToLong(Long::longValue).sum(), sentToPartitions, routing.toString());
  }

  @Test
  @Order(3)
  void aSixtyFourMebibyteRequestCrossesRegionsToItsReplicas() throws Exception {
    Reply load = rig("us-east-0").post("/v2/repository/models/big/load",
        "{\"parameters\": {\"partitions\": 2, \"replicas_per_region\": 1, \"regions\": \"eu-west\"}}");
    assertEquals(200, load.status(), load.body());
    int n = 16 << 20;
    ByteBuffer raw = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) raw.putFloat(i % 1000);
    TestRig gateway = rig("us-east-1");
    GRPCInferenceServiceClient client = GRPCInferenceServiceClient.create(
        GrpcClientSettings.connectToServiceAt("127.0.0.1", gateway.rig.grpcPort(), gateway.rig.system()).withTls(false)
            .withChannelBuilderOverrides(b -> b.maxInboundMessageSize(96 << 20)),
        gateway.rig.system());
    try {
      ModelInferResponse response = client.modelInfer(ModelInferRequest.newBuilder().setModelName("big")
              .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("x").setDatatype("FP32").addShape(n))
              .addRawInputContents(ByteString.copyFrom(raw.array()))
              .build())
          .toCompletableFuture().get(120, TimeUnit.SECONDS);
      ByteBuffer out = response.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      assertEquals(n * 4, out.remaining());
      for (int i = 0; i < n; i += 4093) assertEquals(2f * (i % 1000) + 1f, out.getFloat(i * 4), "element " + i);
    } finally {
      client.close();
    }
  }

  @Test
  @Order(4)
  void aLostRigsReplicasArePlacedOnTheRegionsOtherRigAndTheModelKeepsAnswering() throws Exception {
    String lost = address("us-east-1");
    crash("us-east-1");
    await(Duration.ofSeconds(60), "us-east's six replicas ready on its two other rigs", () -> {
      JsonNode model = model("conv");
      int onSurvivors = 0;
      for (JsonNode r : model.get("replicas")) {
        if (r.get("region").asText().equals("us-east") && r.get("state").asText().equals("ready")) {
          if (r.get("rig").asText().equals(lost)) return false;
          onSurvivors++;
        }
      }
      return onSurvivors == 6;
    });
    Reply reply = rig("us-east-0").post("/v2/models/conv/infer", "{\"inputs\":[{\"name\":\"image\",\"shape\":[1,1,8,8],"
        + "\"datatype\":\"FP32\",\"data\":" + Arrays.toString(image()) + "}]}");
    assertEquals(200, reply.status(), reply.body());
  }

  @Test
  @Order(5)
  void aRestartedRigReusesItsLocalPartitionFiles() throws Exception {
    Path files = cluster.repository("sa-east-1").resolve(".artifacts").resolve("conv").resolve("1");
    Map<String, FileTime> before = modified(files);
    assertTrue(!before.isEmpty(), "sa-east-1 holds no partition files");
    cluster.stop("sa-east-1");
    start("sa-east-1", "sa-east", -23.5, -46.6, "4 GiB");
    await(Duration.ofSeconds(60), "sa-east's replicas ready again", () ->
        readyReplicas("conv").stream().filter(r -> r.get("region").asText().equals("sa-east")).count() == 6);
    Map<String, FileTime> after = modified(files);
    for (Map.Entry<String, FileTime> e : before.entrySet()) {
      assertEquals(e.getValue(), after.get(e.getKey()), e.getKey() + " was fetched again");
    }
    Reply reply = rig("sa-east-1").post("/v2/models/conv/infer", "{\"inputs\":[{\"name\":\"image\",\"shape\":[1,1,8,8],"
        + "\"datatype\":\"FP32\",\"data\":" + Arrays.toString(image()) + "}]}");
    assertEquals(200, reply.status(), reply.body());
  }

  // ---- helpers ----

  private void start(String name, String region, double lat, double lon, String budget) throws Exception {
    cluster.start(name, region, lat, lon, budget);
    order.add(name);
  }

  private void crash(String name) {
    cluster.crash(name);
    order.remove(name);
  }

  private TestRig rig(String name) {
    return cluster.rig(name);
  }

  private String address(String name) {
    return cluster.address(name);
  }

  private JsonNode model(String name) {
    return cluster.model(name);
  }

  private List<JsonNode> readyReplicas(String name) {
    return cluster.readyReplicas(name);
  }

  private static void await(Duration max, String what, BooleanSupplier condition) throws InterruptedException {
    TestCluster.await(max, what, condition);
  }

  private static Map<String, FileTime> modified(Path dir) throws Exception {
    Map<String, FileTime> out = new HashMap<>();
    if (!Files.isDirectory(dir)) return out;
    try (var files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".onnx")).toList()) out.put(p.getFileName().toString(), Files.getLastModifiedTime(p));
    }
    return out;
  }

  private static float[] image() {
    float[] image = new float[64];
    for (int i = 0; i < image.length; i++) image[i] = (float) Math.sin(i * 0.7);
    return image;
  }

  private static float[] floats(JsonNode data) {
    float[] out = new float[data.size()];
    for (int i = 0; i < out.length; i++) out[i] = (float) data.get(i).asDouble();
    return out;
  }

  /** y = 2x + 1 as two nodes, so it cuts into two stages. */
  private static byte[] doubler() {
    return OnnxGraphBuilder.graph("doubler")
        .input("x", DataType.FP32, -1)
        .initializer("two", new float[] {2f})
        .initializer("one", new float[] {1f})
        .node("Mul", List.of("x", "two"), List.of("doubled"))
        .node("Add", List.of("doubled", "one"), List.of("y"))
        .output("y", DataType.FP32, -1)
        .toBytes();
  }
}
