package io.rigserve.serving.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rigserve.proto.health.HealthCheckRequest;
import io.rigserve.proto.health.HealthCheckResponse.ServingStatus;
import io.rigserve.proto.health.HealthClient;
import io.rigserve.proto.inference.DataType;
import io.rigserve.proto.inference.GRPCInferenceServiceClient;
import io.rigserve.proto.inference.InferTensorContents;
import io.rigserve.proto.inference.ModelConfig;
import io.rigserve.proto.inference.ModelConfigRequest;
import io.rigserve.proto.inference.ModelInferRequest;
import io.rigserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.rigserve.proto.inference.ModelReadyRequest;
import io.rigserve.proto.inference.ModelRepositoryParameter;
import io.rigserve.proto.inference.ModelStatistics;
import io.rigserve.proto.inference.ModelStatisticsRequest;
import io.rigserve.proto.inference.ModelStreamInferResponse;
import io.rigserve.proto.inference.RepositoryIndexRequest;
import io.rigserve.proto.inference.RepositoryIndexResponse;
import io.rigserve.proto.inference.RepositoryModelLoadRequest;
import io.rigserve.proto.inference.RepositoryModelUnloadRequest;
import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import io.rigserve.serving.TestRig.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Triton's control surface on one real rig with API keys and an admin token: model config and
 * statistics over REST and gRPC, the repository RPCs, ModelStreamInfer, grpc.health.v1, server
 * reflection and UNIMPLEMENTED for what is not served, each through real clients on loopback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControlSurfaceTest {

  private static final String KEY = "client-key-31c9d0";
  private static final String ADMIN = "admin-token-7a2b4e";
  private static final String CAST_INPUT =
      "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"INT32\",\"data\":[5,6]}]}";

  private TestRig anonymous;
  private TestRig client;
  private TestRig operator;
  private GRPCInferenceServiceClient grpc;
  private HealthClient health;

  @BeforeAll
  void start() throws Exception {
    Path secrets = Files.createTempDirectory("rigserve-control-secrets");
    Path keys = Files.writeString(secrets.resolve("api-keys"), "team-a:" + KEY + "\n");
    Path token = Files.writeString(secrets.resolve("admin-token"), ADMIN + "\n");
    String security = "rigserve.security { api-keys-file = \"" + keys.toString().replace("\\", "/")
        + "\", admin-token-file = \"" + token.toString().replace("\\", "/") + "\" }\n"
        + "rigserve.serving.grpc.health-watch-interval = 200ms\n"
        + "rigserve.serving.max-request-size = 1 MiB\n";
    Path repository = Files.createTempDirectory("rigserve-control");
    ServedModels.writeRepository(repository);
    anonymous = TestRig.start(repository, security);
    client = anonymous.withBearer(KEY);
    operator = anonymous.withBearer(ADMIN);
    GrpcClientSettings settings = GrpcClientSettings
        .connectToServiceAt("127.0.0.1", anonymous.rig.grpcPort(), anonymous.rig.system()).withTls(false);
    grpc = GRPCInferenceServiceClient.create(settings, anonymous.rig.system());
    health = HealthClient.create(settings, anonymous.rig.system());
  }

  @AfterAll
  void stop() throws Exception {
    grpc.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    health.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    anonymous.close();
  }

  @Test
  void aModelsConfigNamesItsTensorsAndDeploymentInTritonsTermsOverRestAndGrpc() throws Exception {
    Reply rest = anonymous.get("/v2/models/mlp/config");
    assertEquals(200, rest.status(), rest.body());
    JsonNode config = rest.json();
    assertEquals("mlp", config.get("name").asText());
    assertEquals("onnxruntime_onnx", config.get("platform").asText());
    assertEquals("onnxruntime", config.get("backend").asText());
    assertEquals(0, config.get("max_batch_size").asInt());
    JsonNode features = byName(config.get("input"), "features");
    assertEquals("TYPE_FP32", features.get("data_type").asText());
    assertEquals("[-1,4]", features.get("dims").toString());
    assertEquals("TYPE_INT64", byName(config.get("output"), "label").get("data_type").asText());
    assertEquals("1", config.get("parameters").get("partitions").get("string_value").asText());
    assertEquals("2", config.get("parameters").get("replicas_per_region").get("string_value").asText());
    assertEquals(config, anonymous.get("/v2/models/mlp/versions/1/config").json());
    assertEquals(404, anonymous.get("/v2/models/mlp/versions/9/config").status());
    assertEquals(404, anonymous.get("/v2/models/ghost/config").status());

    ModelConfig g = await(grpc.modelConfig(ModelConfigRequest.newBuilder().setName("mlp").build())).getConfig();
    assertEquals("mlp", g.getName());
    assertEquals("onnxruntime_onnx", g.getPlatform());
    assertEquals("onnxruntime", g.getBackend());
    ModelConfig.Builder expected = ModelConfig.newBuilder(g);
    var input = g.getInputList().stream().filter(i -> i.getName().equals("features")).findFirst().orElseThrow();
    assertEquals(DataType.TYPE_FP32, input.getDataType());
    assertEquals(List.of(-1L, 4L), input.getDimsList());
    assertEquals("2", g.getParametersMap().get("replicas_per_region").getStringValue());
    assertEquals(expected.build(), g);
    assertStatus(Status.Code.NOT_FOUND, "unknown model", grpc.modelConfig(ModelConfigRequest.newBuilder().setName("ghost").build()));
  }

  @Test
  void statisticsCountEachRequestPerVersionAndEachStageAttemptPerPartitionAndRegion() throws Exception {
    JsonNode before = castStats();
    assertEquals(200, client.post("/v2/models/cast/infer", CAST_INPUT).status());
    assertEquals(200, client.post("/v2/models/cast/infer", CAST_INPUT).status());
    assertEquals(400, client.post("/v2/models/cast/infer", CAST_INPUT.replace("[1,2]", "[2,1]")).status());
    await(grpc.modelInfer().addHeader("authorization", "Bearer " + KEY).invoke(castRequest("g", 1, 2)));
    JsonNode after = castStats();

    assertEquals(3, delta(before, after, "inference_count"));
    assertEquals(3, delta(before, after, "execution_count"));
    JsonNode was = before.get("inference_stats");
    JsonNode is = after.get("inference_stats");
    assertEquals(3, is.get("success").get("count").asLong() - was.get("success").get("count").asLong());
    assertEquals(1, is.get("fail").get("count").asLong() - was.get("fail").get("count").asLong());
    for (String phase : List.of("queue", "compute_input", "compute_infer", "compute_output")) {
      assertEquals(3, is.get(phase).get("count").asLong() - was.get(phase).get("count").asLong(), phase);
    }
    long inferNs = is.get("compute_infer").get("ns").asLong() - was.get("compute_infer").get("ns").asLong();
    long successNs = is.get("success").get("ns").asLong() - was.get("success").get("ns").asLong();
    assertTrue(inferNs > 0 && successNs >= inferNs, "success " + successNs + " ns covers compute_infer " + inferNs + " ns");
    assertTrue(after.get("last_inference").asLong() >= before.get("last_inference").asLong());
    assertTrue(after.get("last_inference").asLong() > System.currentTimeMillis() - 60_000);

    String region = anonymous.rig.rigSettings().region();
    JsonNode stage = after.get("rigserve_partition_stats").get(0);
    assertEquals(0, stage.get("partition").asInt());
    assertEquals(region, stage.get("region").asText());
    long stagesBefore = before.get("rigserve_partition_stats").isEmpty() ? 0
        : before.get("rigserve_partition_stats").get(0).get("success").get("count").asLong();
    assertEquals(3, stage.get("success").get("count").asLong() - stagesBefore, "the bad request never reached a replica");

    ModelStatistics g = await(grpc.modelStatistics().addHeader("authorization", "Bearer " + KEY)
        .invoke(ModelStatisticsRequest.newBuilder().setName("cast").setVersion("1").build())).getModelStats(0);
    assertEquals(after.get("inference_count").asLong(), g.getInferenceCount());
    assertEquals(is.get("success").get("count").asLong(), g.getInferenceStats().getSuccess().getCount());
    assertEquals(is.get("compute_infer").get("ns").asLong(), g.getInferenceStats().getComputeInfer().getNs());
    assertEquals(region, g.getRigservePartitionStats(0).getRegion());
    assertEquals(stage.get("success").get("count").asLong(), g.getRigservePartitionStats(0).getSuccess().getCount());

    Reply all = client.get("/v2/models/stats");
    assertEquals(200, all.status(), all.body());
    List<String> names = new ArrayList<>();
    all.json().get("model_stats").forEach(m -> names.add(m.get("name").asText() + "@" + m.get("version").asText()));
    assertTrue(names.containsAll(List.of("cast@1", "mlp@1", "types@1")), names.toString());
    assertEquals(names.stream().sorted().toList(), names, "in name order");
    assertEquals(401, anonymous.get("/v2/models/stats").status(), "statistics need an API key");
    assertEquals(404, client.get("/v2/models/ghost/stats").status());
    assertEquals(404, client.get("/v2/models/cast/versions/7/stats").status());
    assertStatus(Status.Code.UNAUTHENTICATED, "Bearer", grpc.modelStatistics(ModelStatisticsRequest.getDefaultInstance()));
  }

  @Test
  void repositoryRpcsListLoadWithDeployParametersAndUnloadBehindTheAdminToken() throws Exception {
    RepositoryIndexResponse index = await(grpc.repositoryIndex().addHeader("authorization", "Bearer " + KEY)
        .invoke(RepositoryIndexRequest.getDefaultInstance()));
    var conv = index.getModelsList().stream().filter(m -> m.getName().equals("conv")).findFirst().orElseThrow();
    assertEquals("READY", conv.getState());
    assertEquals("1", conv.getVersion());
    assertStatus(Status.Code.UNAUTHENTICATED, "Bearer", grpc.repositoryIndex(RepositoryIndexRequest.getDefaultInstance()));

    RepositoryModelUnloadRequest unload = RepositoryModelUnloadRequest.newBuilder().setModelName("conv").build();
    assertStatus(Status.Code.PERMISSION_DENIED, "team-a",
        grpc.repositoryModelUnload().addHeader("authorization", "Bearer " + KEY).invoke(unload));
    await(grpc.repositoryModelUnload().addHeader("authorization", "Bearer " + ADMIN).invoke(unload));
    assertTrue(!await(grpc.modelReady(ModelReadyRequest.newBuilder().setName("conv").build())).getReady());
    RepositoryIndexResponse readyOnly = await(grpc.repositoryIndex().addHeader("authorization", "Bearer " + KEY)
        .invoke(RepositoryIndexRequest.newBuilder().setReady(true).build()));
    assertTrue(readyOnly.getModelsList().stream().noneMatch(m -> m.getName().equals("conv")), readyOnly.toString());
    assertTrue(readyOnly.getModelsList().stream().allMatch(m -> m.getState().equals("READY")), readyOnly.toString());

    RepositoryModelLoadRequest load = RepositoryModelLoadRequest.newBuilder().setModelName("conv")
        .putParameters("replicas_per_region", ModelRepositoryParameter.newBuilder().setInt64Param(1).build())
        .putParameters("config", ModelRepositoryParameter.newBuilder().setStringParam("{}").build())
        .build();
    assertStatus(Status.Code.PERMISSION_DENIED, "team-a",
        grpc.repositoryModelLoad().addHeader("authorization", "Bearer " + KEY).invoke(load));
    await(grpc.repositoryModelLoad().addHeader("authorization", "Bearer " + ADMIN).invoke(load));
    assertTrue(await(grpc.modelReady(ModelReadyRequest.newBuilder().setName("conv").build())).getReady());
    assertEquals("1", await(grpc.modelConfig(ModelConfigRequest.newBuilder().setName("conv").build()))
        .getConfig().getParametersMap().get("replicas_per_region").getStringValue(), "loaded with the parameter given");

    assertStatus(Status.Code.INVALID_ARGUMENT, "partitions", grpc.repositoryModelLoad()
        .addHeader("authorization", "Bearer " + ADMIN).invoke(RepositoryModelLoadRequest.newBuilder().setModelName("conv")
            .putParameters("partitions", ModelRepositoryParameter.newBuilder().setStringParam("zero").build()).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "PUT /v2/repository", grpc.repositoryModelLoad()
        .addHeader("authorization", "Bearer " + ADMIN).invoke(RepositoryModelLoadRequest.newBuilder().setModelName("conv")
            .putParameters("file:1/model.onnx", ModelRepositoryParameter.newBuilder()
                .setBytesParam(ByteString.copyFrom(new byte[16])).build()).build()));
    assertStatus(Status.Code.NOT_FOUND, "ghost", grpc.repositoryModelLoad()
        .addHeader("authorization", "Bearer " + ADMIN).invoke(RepositoryModelLoadRequest.newBuilder().setModelName("ghost").build()));
  }

  @Test
  void aStreamAnswersEachRequestWithItsIdAndOneBadRequestDoesNotEndIt() throws Exception {
    List<ModelInferRequest> requests = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      if (i == 7) {
        requests.add(ModelInferRequest.newBuilder(castRequest("s7", 1, 2)).setModelName("ghost").build());
      } else if (i == 20) {
        requests.add(ModelInferRequest.newBuilder(castRequest("s20", 1, 2, 3)).build());
      } else {
        requests.add(castRequest("s" + i, i, -i));
      }
    }
    List<ModelStreamInferResponse> answers = await(grpc.modelStreamInfer().addHeader("authorization", "Bearer " + KEY)
        .invoke(Source.from(requests))
        .runWith(Sink.seq(), anonymous.rig.system()));
    assertEquals(40, answers.size());
    Map<String, ModelStreamInferResponse> byId = answers.stream()
        .collect(Collectors.toMap(a -> a.getInferResponse().getId(), Function.identity()));
    assertEquals(40, byId.size(), "every answer carries its own request's id");
    assertTrue(byId.get("s7").getErrorMessage().contains("unknown model 'ghost'"), byId.get("s7").getErrorMessage());
    assertTrue(byId.get("s7").getErrorMessage().startsWith("NOT_FOUND"), byId.get("s7").getErrorMessage());
    assertTrue(byId.get("s20").getErrorMessage().startsWith("INVALID_ARGUMENT"), byId.get("s20").getErrorMessage());
    for (int i = 0; i < 40; i++) {
      if (i == 7 || i == 20) continue;
      ModelStreamInferResponse a = byId.get("s" + i);
      assertEquals("", a.getErrorMessage());
      assertEquals("cast", a.getInferResponse().getModelName());
      assertEquals(List.of((double) i, (double) -i), a.getInferResponse().getOutputs(0).getContents().getFp64ContentsList());
    }
    assertStatus(Status.Code.UNAUTHENTICATED, "Bearer",
        grpc.modelStreamInfer(Source.single(castRequest("x", 1, 2))).runWith(Sink.seq(), anonymous.rig.system()));
  }

  @Test
  void aStreamMayCarryMoreThanTheRequestLimitButNoMessageLargerThanIt() throws Exception {
    String pad = "p".repeat(200 << 10);
    List<ModelInferRequest> requests = new ArrayList<>();
    for (int i = 0; i < 8; i++) requests.add(castRequest(pad + i, i, i));
    List<ModelStreamInferResponse> answers = await(grpc.modelStreamInfer().addHeader("authorization", "Bearer " + KEY)
        .invoke(Source.from(requests)).runWith(Sink.seq(), anonymous.rig.system()));
    assertEquals(8, answers.size(), "1.6 MiB in eight messages of 200 KiB pass a limit of 1 MiB");
    assertTrue(answers.stream().allMatch(a -> a.getErrorMessage().isEmpty()));

    assertStatus(Status.Code.RESOURCE_EXHAUSTED, "limit", grpc.modelStreamInfer().addHeader("authorization", "Bearer " + KEY)
        .invoke(Source.from(List.of(castRequest("small", 1, 2), castRequest("p".repeat(2 << 20), 1, 2))))
        .runWith(Sink.seq(), anonymous.rig.system()));
    ModelStreamInferResponse after = await(grpc.modelStreamInfer().addHeader("authorization", "Bearer " + KEY)
        .invoke(Source.single(castRequest("after", 3, 4))).runWith(Sink.head(), anonymous.rig.system()));
    assertEquals("after", after.getInferResponse().getId());
  }

  @Test
  void healthAnswersForTheRigAndEachModelAndWatchSeesAModelGoAndReturn() throws Exception {
    assertEquals(ServingStatus.SERVING, await(health.check(HealthCheckRequest.getDefaultInstance())).getStatus());
    assertEquals(ServingStatus.SERVING, await(health.check(HealthCheckRequest.newBuilder().setService("cast").build())).getStatus());
    assertStatus(Status.Code.NOT_FOUND, "ghost", health.check(HealthCheckRequest.newBuilder().setService("ghost").build()));
    assertEquals(List.of(ServingStatus.SERVICE_UNKNOWN), await(health.watch(HealthCheckRequest.newBuilder().setService("ghost").build())
        .take(1).map(r -> r.getStatus()).runWith(Sink.seq(), anonymous.rig.system())));

    CompletionStage<List<ServingStatus>> watched = health.watch(HealthCheckRequest.newBuilder().setService("types").build())
        .map(r -> r.getStatus())
        .take(3)
        .completionTimeout(Duration.ofSeconds(90))
        .runWith(Sink.seq(), anonymous.rig.system());
    Thread.sleep(500);
    assertEquals(200, operator.post("/v2/repository/models/types/unload", "").status());
    Thread.sleep(500);
    assertEquals(200, operator.post("/v2/repository/models/types/load", "").status());
    assertEquals(List.of(ServingStatus.SERVING, ServingStatus.NOT_SERVING, ServingStatus.SERVING), await(watched));
  }

  private JsonNode castStats() throws Exception {
    Reply r = client.get("/v2/models/cast/versions/1/stats");
    assertEquals(200, r.status(), r.body());
    assertEquals(1, r.json().get("model_stats").size());
    return r.json().get("model_stats").get(0);
  }

  private static long delta(JsonNode before, JsonNode after, String field) {
    return after.get(field).asLong() - before.get(field).asLong();
  }

  private static JsonNode byName(JsonNode array, String name) {
    for (JsonNode n : array) if (n.get("name").asText().equals(name)) return n;
    throw new AssertionError("no '" + name + "' in " + array);
  }

  private static ModelInferRequest castRequest(String id, int... values) {
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    for (int v : values) contents.addIntContents(v);
    return ModelInferRequest.newBuilder().setModelName("cast").setId(id)
        .addInputs(InferInputTensor.newBuilder().setName("ints").setDatatype("INT32").addShape(1).addShape(2).setContents(contents))
        .build();
  }

  private static void assertStatus(Status.Code code, String fragment, CompletionStage<?> call) {
    try {
      call.toCompletableFuture().get(60, TimeUnit.SECONDS);
      throw new AssertionError("expected " + code + " but the call succeeded");
    } catch (ExecutionException e) {
      Status status = e.getCause() instanceof StatusRuntimeException s ? s.getStatus()
          : e.getCause() instanceof io.grpc.StatusException s ? s.getStatus() : null;
      if (status == null) throw new AssertionError("not a gRPC status: " + e.getCause(), e.getCause());
      assertEquals(code, status.getCode(), String.valueOf(status.getDescription()));
      assertTrue(String.valueOf(status.getDescription()).contains(fragment),
          "expected '" + fragment + "' in: " + status.getDescription());
    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(90, TimeUnit.SECONDS);
  }
}
