package io.rigserve.serving.repository;

import static io.rigserve.serving.api.rest.RestAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.proto.onnx.StringStringEntryProto;
import io.rigserve.proto.onnx.TensorProto;
import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import io.rigserve.serving.TestRig.Reply;
import io.rigserve.serving.testmodels.TestModels;
import io.rigserve.sharding.tensor.DataType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RepositoryApiTest {

  private static final int MAX_UPLOAD = 256 * 1024;
  private static final String CAST_INPUT = "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"INT32\",\"data\":[5,6]}]}";

  private Path repository;
  private TestRig rig;

  @BeforeAll
  void start() throws Exception {
    repository = Files.createTempDirectory("rigserve-repo");
    ServedModels.writeRepository(repository);
    // A model on disk whose external data points outside its folder must never load.
    Path escaping = repository.resolve("escaping").resolve("1");
    Files.createDirectories(escaping);
    Files.write(repository.resolve("secret.bin"), new byte[12]);
    Files.write(escaping.resolve("model.onnx"), externalDataAt(escaping, "../../secret.bin"));
    rig = TestRig.start(repository, "rigserve.repository.max-upload-size = " + MAX_UPLOAD);
  }

  @AfterAll
  void stop() throws Exception {
    rig.close();
  }

  @Test
  void anUploadedVersionIsStreamedToDiskHashedAndServedAfterLoad() throws Exception {
    byte[] model = TestModels.castInt32ToFp64();
    Reply put = rig.put("/v2/repository/models/cast/versions/2", model);
    assertEquals(201, put.status(), put.body());
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
    assertEquals(sha, put.json().get("sha256").asText());
    assertEquals(model.length, put.json().get("bytes").asLong());
    assertTrue(Arrays.equals(model, Files.readAllBytes(repository.resolve("cast/2/model.onnx"))));

    JsonNode v2 = indexEntry("cast", "2");
    assertEquals("UNAVAILABLE", v2.get("state").asText());
    assertEquals(sha, v2.get("sha256").asText());
    assertEquals("[\"1\"]", rig.get("/v2/models/cast").json().get("versions").toString());

    assertEquals(200, rig.post("/v2/repository/models/cast/load", "").status());
    assertEquals("READY", indexEntry("cast", "2").get("state").asText());
    assertEquals("[\"1\",\"2\"]", rig.get("/v2/models/cast").json().get("versions").toString());
    Reply infer = rig.post("/v2/models/cast/versions/2/infer", CAST_INPUT);
    assertEquals(200, infer.status(), infer.body());
    assertEquals("2", infer.json().get("model_version").asText());
    assertEquals("2", rig.post("/v2/models/cast/infer", CAST_INPUT).json().get("model_version").asText());

    assertError(409, "already has a version 2", rig.put("/v2/repository/models/cast/versions/2", model));
  }

  @Test
  void corruptTruncatedOrForeignUploadsAreRefusedAndLeaveServedModelsUntouched() throws Exception {
    byte[] model = TestModels.twoHeadMlp();
    assertError(400, "not an ONNX model", rig.put("/v2/repository/models/mlp/versions/3",
        Arrays.copyOf(model, model.length / 2)));
    assertError(400, "not an ONNX model", rig.put("/v2/repository/models/mlp/versions/4",
        "this is a text file, not a model".getBytes(StandardCharsets.UTF_8)));
    assertError(400, "empty", rig.put("/v2/repository/models/mlp/versions/5", new byte[0]));
    assertError(400, "outside the model's folder", rig.put("/v2/repository/models/mlp/versions/6",
        externalDataAt(repository, "../secret.bin")));
    byte[] tooBig = new byte[MAX_UPLOAD + 1];
    assertError(413, "too large", rig.put("/v2/repository/models/mlp/versions/7", tooBig));
    assertError(400, "invalid model version", rig.put("/v2/repository/models/mlp/versions/latest", model));
    assertError(400, "invalid model name", rig.put("/v2/repository/models/..hidden/versions/1", model));

    for (String v : new String[] {"3", "4", "5", "6", "7"}) {
      assertFalse(Files.exists(repository.resolve("mlp").resolve(v)), "version " + v + " was left on disk");
    }
    try (Stream<Path> staged = Files.list(repository.resolve(".staging"))) {
      assertEquals(0, staged.count(), "staging folders were left behind");
    }
    assertEquals("[\"1\"]", rig.get("/v2/models/mlp").json().get("versions").toString());
    assertEquals(200, rig.get("/v2/models/mlp/ready").status());
  }

  @Test
  void aModelWhoseExternalDataLeavesItsFolderNeverLoads() throws Exception {
    JsonNode entry = indexEntry("escaping", "1");
    assertEquals("UNAVAILABLE", entry.get("state").asText());
    assertTrue(entry.get("reason").asText().contains("outside the model's folder"), entry.toString());
    assertError(400, "outside the model's folder", rig.post("/v2/repository/models/escaping/load", ""));
    assertError(503, "not loaded", rig.post("/v2/models/escaping/versions/1/infer", CAST_INPUT));
  }

  @Test
  void anUnloadedModelAnswers503UntilLoadedAgain() throws Exception {
    assertEquals(200, rig.post("/v2/repository/models/conv/unload", "").status());
    assertEquals(503, rig.get("/v2/models/conv/ready").status());
    assertFalse(rig.get("/v2/models/conv/ready").json().get("ready").asBoolean());
    assertError(503, "not loaded", rig.post("/v2/models/conv/infer",
        "{\"inputs\":[{\"name\":\"image\",\"shape\":[1,1,8,8],\"datatype\":\"FP32\",\"data\":" + zeros(64) + "}]}"));
    assertEquals("UNAVAILABLE", indexEntry("conv", "1").get("state").asText());
    assertEquals("unloaded", indexEntry("conv", "1").get("reason").asText());

    assertEquals(200, rig.post("/v2/repository/models/conv/load", "").status());
    Reply infer = rig.post("/v2/models/conv/infer",
        "{\"inputs\":[{\"name\":\"image\",\"shape\":[1,1,8,8],\"datatype\":\"FP32\",\"data\":" + zeros(64) + "}]}");
    assertEquals(200, infer.status(), infer.body());
  }

  @Test
  void loadingAVersionAgainCutDifferentlyReplacesItsReplicas() throws Exception {
    String body = "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]},"
        + "{\"name\":\"offset\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[0,0,0]}]}";
    Reply whole = rig.post("/v2/models/mlp/infer", body);
    assertEquals(200, whole.status(), whole.body());
    Reply cut = rig.post("/v2/repository/models/mlp/load", "{\"parameters\": {\"partitions\": 2}}");
    assertEquals(200, cut.status(), cut.body());
    Reply staged = rig.post("/v2/models/mlp/infer", body);
    assertEquals(200, staged.status(), staged.body());
    assertEquals(whole.json().get("outputs").toString(), staged.json().get("outputs").toString());
    for (JsonNode m : rig.getManagement("/admin/models").json().get("models")) {
      if (m.get("name").asText().equals("mlp")) {
        assertEquals(2, m.get("partitions").asInt(), m.toString());
        assertTrue(m.get("ready").asBoolean(), m.toString());
      }
    }
  }

  @Test
  void loadingOrUnloadingAnUnknownModelIsNotFound() throws Exception {
    assertError(404, "no model 'ghost'", rig.post("/v2/repository/models/ghost/load", ""));
    assertError(404, "no model 'ghost'", rig.post("/v2/repository/models/ghost/unload", ""));
  }

  @Test
  void theIndexListsOnlyReadyVersionsWhenAskedAndRefusesAReadyFlagThatIsNotABoolean() throws Exception {
    assertEquals("UNAVAILABLE", indexEntry("escaping", "1").get("state").asText());
    Reply ready = rig.post("/v2/repository/index", "{\"ready\": true}");
    assertEquals(200, ready.status(), ready.body());
    assertTrue(ready.json().size() > 0, ready.body());
    for (JsonNode e : ready.json()) assertEquals("READY", e.get("state").asText(), ready.body());
    assertFalse(ready.body().contains("escaping"), ready.body());
    assertError(400, "'ready' must be true or false", rig.post("/v2/repository/index", "{\"ready\": \"yes\"}"));
    assertError(400, "", rig.post("/v2/repository/index", "[true]"));
  }

  private JsonNode indexEntry(String name, String version) throws Exception {
    Reply index = rig.post("/v2/repository/index", "{}");
    assertEquals(200, index.status(), index.body());
    for (JsonNode e : index.json()) {
      if (e.get("name").asText().equals(name) && e.get("version").asText().equals(version)) return e;
    }
    throw new AssertionError("no " + name + "/" + version + " in " + index.body());
  }

  /** The external-data test model with its weights' location replaced by {@code location}. */
  private static byte[] externalDataAt(Path scratch, String location) throws Exception {
    Path dir = Files.createTempDirectory(scratch.getFileSystem().getPath(System.getProperty("java.io.tmpdir")), "ext");
    ModelProto model = ModelProto.parseFrom(Files.readAllBytes(TestModels.writeExternalDataModel(dir, DataType.FP32)));
    ModelProto.Builder b = model.toBuilder();
    TensorProto.Builder w = b.getGraphBuilder().getInitializerBuilder(0);
    for (int i = 0; i < w.getExternalDataCount(); i++) {
      if (w.getExternalData(i).getKey().equals("location")) {
        w.setExternalData(i, StringStringEntryProto.newBuilder().setKey("location").setValue(location));
      }
    }
    return b.build().toByteArray();
  }

  private static String zeros(int n) {
    return Arrays.toString(new float[n]);
  }
}
