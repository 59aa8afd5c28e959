package io.rigserve.serving.api.rest;

import static io.rigserve.serving.api.rest.RestAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import io.rigserve.serving.TestRig.Reply;
import io.rigserve.serving.testmodels.TestModels;
import io.rigserve.serving.testmodels.TestTensors;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestApiTest {

  private static final int MAX_REQUEST = 1 << 20;

  private Path repository;
  private TestRig rig;

  @BeforeAll
  void startRig() throws Exception {
    repository = Files.createTempDirectory("rigserve-rest");
    ServedModels.writeRepository(repository);
    rig = TestRig.start(repository, "rigserve.serving.max-request-size = " + MAX_REQUEST);
  }

  @AfterAll
  void stopRig() throws Exception {
    rig.close();
  }

  @Test
  void healthAndServerMetadataAnswer() throws Exception {
    Reply live = rig.get("/v2/health/live");
    assertEquals(200, live.status());
    assertTrue(live.json().get("live").asBoolean());
    Reply ready = rig.get("/v2/health/ready");
    assertEquals(200, ready.status(), ready.body());
    JsonNode server = rig.get("/v2").json();
    assertEquals("rigserve", server.get("name").asText());
    assertTrue(server.get("extensions").toString().contains("model_repository"));
  }

  @Test
  void theManagementPortShowsReadinessAndTheReplicasThisRigHosts() throws Exception {
    assertEquals(200, rig.getManagement("/ready").status());
    JsonNode hosted = rig.getManagement("/admin/cluster").json().get("members").get(0).get("hostedReplicas");
    Set<String> ready = new TreeSet<>();
    for (JsonNode r : hosted) {
      if (r.get("state").asText().equals("READY")) ready.add(r.get("id").get("model").asText());
    }
    assertEquals(Set.of("cast", "conv", "mlp", "types"), ready, hosted.toString());
    JsonNode models = rig.getManagement("/admin/models").json().get("models");
    assertEquals(4, models.size(), models.toString());
    for (JsonNode m : models) {
      assertTrue(m.get("ready").asBoolean(), m.toString());
      assertEquals("ready", m.get("replicas").get(0).get("state").asText(), m.toString());
    }
  }

  @Test
  void adminRoutingCountsEveryStageSentPerPartitionAndRegionAndListsNoFailoverOnAHealthyRig() throws Exception {
    JsonNode before = rig.getManagement("/admin/routing").json();
    int requests = 5;
    for (int i = 0; i < requests; i++) {
      Reply reply = rig.post("/v2/models/mlp/infer", """
          {"inputs": [
            {"name": "features", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]},
            {"name": "offset", "shape": [1, 3], "datatype": "FP32", "data": [0, 0, 0]}]}""");
      assertEquals(200, reply.status(), reply.body());
    }
    JsonNode after = rig.getManagement("/admin/routing").json();
    JsonNode mlp = mlpPartition(after);
    assertNotNull(mlp, after.toString());
    assertEquals(List.of("local"), fieldNames(mlp.get("byRegion")), after.toString());
    assertEquals(requests, mlp.get("byRegion").get("local").asLong() - sentToLocal(mlpPartition(before)), after.toString());
    assertTrue(mlp.get("last").asText().startsWith("mlp@1/p0/r") && mlp.get("last").asText().contains(" in local"),
        mlp.toString());
    assertEquals(before.get("failovers").get("total").asLong(), after.get("failovers").get("total").asLong(), after.toString());
    assertTrue(after.get("failovers").get("recent").isArray(), after.toString());
    assertEquals("[]", after.get("openBreakers").toString(), after.toString());
    assertTrue(after.get("replicas").size() > 0, after.toString());
  }

  /** The single partition of mlp@1 as {@code /admin/routing} lists it, or null before the first request. */
  private static JsonNode mlpPartition(JsonNode routing) {
    for (JsonNode p : routing.get("partitions")) {
      if (p.get("model").asText().equals("mlp") && p.get("version").asText().equals("1")) {
        assertEquals(0, p.get("partition").asInt(), p.toString());
        return p;
      }
    }
    return null;
  }

  private static long sentToLocal(JsonNode partition) {
    return partition == null ? 0 : partition.get("byRegion").path("local").asLong();
  }

  private static List<String> fieldNames(JsonNode object) {
    return object.properties().stream().map(Map.Entry::getKey).toList();
  }

  @Test
  void modelMetadataReportsProtocolDatatypesAndDynamicDimensions() throws Exception {
    Reply reply = rig.get("/v2/models/mlp");
    assertEquals(200, reply.status(), reply.body());
    JsonNode m = reply.json();
    assertEquals("mlp", m.get("name").asText());
    assertEquals("[\"1\"]", m.get("versions").toString());
    assertEquals("onnxruntime_onnx", m.get("platform").asText());
    assertEquals(spec("features", "FP32", "[-1,4]"), tensorSpec(m.get("inputs"), "features"));
    assertEquals(spec("offset", "FP32", "[-1,3]"), tensorSpec(m.get("inputs"), "offset"));
    assertEquals(spec("scores", "FP32", "[-1,3]"), tensorSpec(m.get("outputs"), "scores"));
    assertEquals(spec("label", "INT64", "[-1]"), tensorSpec(m.get("outputs"), "label"));
    assertEquals(200, rig.get("/v2/models/mlp/versions/1").status());
    assertEquals(200, rig.get("/v2/models/mlp/ready").status());
    assertTrue(rig.get("/v2/models/mlp/versions/1/ready").json().get("ready").asBoolean());
  }

  @Test
  void anMlpAnswersWhatOnnxRuntimeAnswersDirectlyAndEchoesTheId() throws Exception {
    float[] features = {0.5f, -1f, 2f, 0.25f, -3f, 1.5f, 0f, 4f};
    float[] offset = {0.1f, 0.2f, -0.3f, 1f, -1f, 0f};
    Reply reply = rig.post("/v2/models/mlp/infer", """
        {"id": "req-42", "inputs": [
          {"name": "features", "shape": [2, 4], "datatype": "FP32", "data": [[0.5, -1, 2, 0.25], [-3, 1.5, 0, 4]]},
          {"name": "offset", "shape": [2, 3], "datatype": "FP32", "data": [0.1, 0.2, -0.3, 1, -1, 0]}
        ]}""");
    assertEquals(200, reply.status(), reply.body());
    JsonNode body = reply.json();
    assertEquals("req-42", body.get("id").asText());
    assertEquals("mlp", body.get("model_name").asText());
    assertEquals("1", body.get("model_version").asText());

    Tensor[] direct = ServedModels.direct(ServedModels.MLP,
        TestTensors.fp32("features", new long[] {2, 4}, features), TestTensors.fp32("offset", new long[] {2, 3}, offset));
    JsonNode scores = output(body, "scores");
    assertEquals("FP32", scores.get("datatype").asText());
    assertEquals("[2,3]", scores.get("shape").toString());
    assertArrayEquals(TestTensors.fp32Values(byName(direct, "scores")), floats(scores.get("data")));
    JsonNode label = output(body, "label");
    assertEquals("INT64", label.get("datatype").asText());
    assertArrayEquals(TestTensors.int64Values(byName(direct, "label")), longs(label.get("data")));
  }

  @Test
  void aConvNetAnswersWhatOnnxRuntimeAnswersDirectly() throws Exception {
    int n = TestModels.CONV_SIZE * TestModels.CONV_SIZE;
    float[] image = new float[n];
    for (int i = 0; i < n; i++) image[i] = (float) Math.cos(i * 0.37);
    Reply reply = rig.post("/v2/models/conv/infer",
        "{\"inputs\":[{\"name\":\"image\",\"shape\":[1,1,8,8],\"datatype\":\"FP32\",\"data\":"
            + Arrays.toString(image) + "}]}");
    assertEquals(200, reply.status(), reply.body());
    Tensor[] direct = ServedModels.direct(ServedModels.CONV, TestTensors.fp32("image", new long[] {1, 1, 8, 8}, image));
    JsonNode logits = output(reply.json(), "logits");
    assertEquals("[1,3]", logits.get("shape").toString());
    assertArrayEquals(TestTensors.fp32Values(direct[0]), floats(logits.get("data")));
  }

  @Test
  void everyDatatypeRoundTripsThroughJson() throws Exception {
    String[][] cases = {
        {"BOOL", "[true,false,true]"},
        {"UINT8", "[0,1,255]"},
        {"UINT16", "[0,1,65535]"},
        {"UINT32", "[0,1,4294967295]"},
        {"UINT64", "[0,1,18446744073709551615]"},
        {"INT8", "[-128,0,127]"},
        {"INT16", "[-32768,0,32767]"},
        {"INT32", "[-2147483648,0,2147483647]"},
        {"INT64", "[-9223372036854775808,0,9223372036854775807]"},
        {"FP16", "[0.5,-2.0,1024.0]"},
        {"BF16", "[0.5,-2.0,1024.0]"},
        {"FP32", "[0.25,-1.5,3.0E38]"},
        {"FP64", "[1.0E-300,-2.5,1.7976931348623157E308]"},
        {"BYTES", "[\"\",\"héllo\",\"a b c\"]"},
    };
    StringBuilder inputs = new StringBuilder();
    for (String[] c : cases) {
      if (inputs.length() > 0) inputs.append(',');
      inputs.append("{\"name\":\"").append(TestModels.identityInput(DataType.valueOf(c[0])))
          .append("\",\"shape\":[3],\"datatype\":\"").append(c[0]).append("\",\"data\":").append(c[1]).append('}');
    }
    Reply reply = rig.post("/v2/models/types/infer", "{\"inputs\":[" + inputs + "]}");
    assertEquals(200, reply.status(), reply.body());
    for (String[] c : cases) {
      JsonNode out = output(reply.json(), TestModels.identityOutput(DataType.valueOf(c[0])));
      assertEquals(c[0], out.get("datatype").asText());
      assertEquals(c[1], out.get("data").toString(), c[0]);
    }
  }

  @Test
  void onlyTheRequestedOutputsAreReturned() throws Exception {
    Reply reply = rig.post("/v2/models/mlp/infer", """
        {"inputs": [
          {"name": "features", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]},
          {"name": "offset", "shape": [1, 3], "datatype": "FP32", "data": [0, 0, 0]}],
         "outputs": [{"name": "label"}]}""");
    assertEquals(200, reply.status(), reply.body());
    JsonNode outputs = reply.json().get("outputs");
    assertEquals(1, outputs.size());
    assertEquals("label", outputs.get(0).get("name").asText());
  }

  @Test
  void badRequestsGetClearErrorsAndTheRigKeepsServing() throws Exception {
    String good = "{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"INT32\",\"data\":[1,2]}";
    assertError(400, "malformed JSON", rig.post("/v2/models/cast/infer", "{\"inputs\": [" + good));
    assertError(400, "datatype INT64", rig.post("/v2/models/cast/infer",
        "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"INT64\",\"data\":[1,2]}]}"));
    assertError(400, "shape [1, 3]", rig.post("/v2/models/cast/infer",
        "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,3],\"datatype\":\"INT32\",\"data\":[1,2,3]}]}"));
    assertError(400, "needs 2", rig.post("/v2/models/cast/infer",
        "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"INT32\",\"data\":[1,2,3]}]}"));
    assertError(400, "not a valid INT32", rig.post("/v2/models/cast/infer",
        "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"INT32\",\"data\":[1,\"x\"]}]}"));
    assertError(400, "unknown datatype 'FLOAT'", rig.post("/v2/models/cast/infer",
        "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"FLOAT\",\"data\":[1,2]}]}"));
    assertError(400, "missing input 'offset'", rig.post("/v2/models/mlp/infer",
        "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}"));
    assertError(400, "unexpected input 'nope'", rig.post("/v2/models/cast/infer",
        "{\"inputs\":[" + good + ",{\"name\":\"nope\",\"shape\":[1],\"datatype\":\"INT32\",\"data\":[1]}]}"));
    assertError(400, "unknown output 'nope'", rig.post("/v2/models/cast/infer",
        "{\"inputs\":[" + good + "],\"outputs\":[{\"name\":\"nope\"}]}"));
    assertError(400, "inputs", rig.post("/v2/models/cast/infer", "{\"inputs\": []}"));
    assertError(400, "JSON object", rig.post("/v2/models/cast/infer", "[1, 2]"));
    assertError(404, "unknown model 'nothing'", rig.post("/v2/models/nothing/infer", "{\"inputs\":[" + good + "]}"));
    assertError(404, "no version '7'", rig.post("/v2/models/cast/versions/7/infer", "{\"inputs\":[" + good + "]}"));
    assertError(404, "unknown model", rig.get("/v2/models/nothing"));
    byte[] huge = new byte[MAX_REQUEST + 1024];
    Arrays.fill(huge, (byte) ' ');
    assertError(413, "too large", rig.postBytes("/v2/models/cast/infer", huge));

    Reply after = rig.post("/v2/models/cast/infer", "{\"inputs\":[" + good + "]}");
    assertEquals(200, after.status(), after.body());
    assertEquals("[1.0,2.0]", output(after.json(), "doubles").get("data").toString());
  }

  @Test
  void tritonsTimeoutIsMicrosecondsPriorityIsCheckedAndUnknownParametersAreIgnored() throws Exception {
    String input = ",\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"INT32\",\"data\":[1,2]}]}";
    Reply ok = rig.post("/v2/models/cast/infer",
        "{\"parameters\":{\"timeout\":5000000,\"priority\":1,\"sequence_id\":0.5,\"custom\":\"x\"}" + input);
    assertEquals(200, ok.status(), ok.body());
    assertError(504, "deadline passed", rig.post("/v2/models/cast/infer", "{\"parameters\":{\"timeout\":1}" + input));
    for (String bad : new String[] {"-1", "1.5", "\"100\"", "true", "18446744073709551616"}) {
      assertError(400, "parameter 'timeout' must be a non-negative integer number of microseconds",
          rig.post("/v2/models/cast/infer", "{\"parameters\":{\"timeout\":" + bad + "}" + input));
      assertError(400, "parameter 'priority' must be a non-negative integer",
          rig.post("/v2/models/cast/infer", "{\"parameters\":{\"priority\":" + bad + "}" + input));
    }
    assertEquals(200, rig.post("/v2/models/cast/infer", "{\"parameters\":{\"priority\":18446744073709551615}" + input).status());
  }

  private static String spec(String name, String datatype, String shape) {
    return name + " " + datatype + " " + shape;
  }

  private static String tensorSpec(JsonNode specs, String name) {
    for (JsonNode s : specs) {
      if (s.get("name").asText().equals(name)) {
        return spec(name, s.get("datatype").asText(), s.get("shape").toString());
      }
    }
    return "missing " + name + " in " + specs;
  }

  static JsonNode output(JsonNode body, String name) {
    for (JsonNode o : body.get("outputs")) {
      if (o.get("name").asText().equals(name)) return o;
    }
    throw new AssertionError("no output " + name + " in " + body);
  }

  private static Tensor byName(Tensor[] tensors, String name) {
    return Arrays.stream(tensors).filter(t -> t.name().equals(name)).findFirst().orElseThrow();
  }

  private static float[] floats(JsonNode data) {
    float[] out = new float[data.size()];
    for (int i = 0; i < out.length; i++) out[i] = (float) data.get(i).asDouble();
    return out;
  }

  private static long[] longs(JsonNode data) {
    long[] out = new long[data.size()];
    for (int i = 0; i < out.length; i++) out[i] = data.get(i).asLong();
    return out;
  }
}
