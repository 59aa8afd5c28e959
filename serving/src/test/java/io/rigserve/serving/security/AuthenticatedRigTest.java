package io.rigserve.serving.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rigserve.proto.inference.GRPCInferenceServiceClient;
import io.rigserve.proto.inference.InferTensorContents;
import io.rigserve.proto.inference.ModelInferRequest;
import io.rigserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.rigserve.proto.inference.ModelInferResponse;
import io.rigserve.proto.inference.ModelMetadataRequest;
import io.rigserve.proto.inference.ModelReadyRequest;
import io.rigserve.proto.inference.ServerLiveRequest;
import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestCluster;
import io.rigserve.serving.TestRig;
import io.rigserve.serving.TestRig.Reply;
import io.rigserve.serving.testmodels.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two real rigs with API keys and an admin token: REST and gRPC inference, repository writes and
 * the management port, over real clients on loopback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthenticatedRigTest {

  private static final String KEY = "client-key-5f1c2a";
  private static final String ADMIN = "admin-token-9d3e7b";
  private static final String CAST_INPUT =
      "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"INT32\",\"data\":[5,6]}]}";

  private TestRig anonymous;
  private TestRig client;
  private TestRig operator;
  private TestRig other;
  private GRPCInferenceServiceClient grpc;

  @BeforeAll
  void start() throws Exception {
    Path secrets = Files.createTempDirectory("rigserve-secrets");
    Path keys = Files.writeString(secrets.resolve("api-keys"), "# clients\nteam-a:" + KEY + "\n");
    Path token = Files.writeString(secrets.resolve("admin-token"), ADMIN + "\n");
    String security = "rigserve.security { api-keys-file = \"" + keys.toString().replace("\\", "/")
        + "\", admin-token-file = \"" + token.toString().replace("\\", "/") + "\" }\n";
    Path repository = Files.createTempDirectory("rigserve-auth");
    ServedModels.writeRepository(repository);
    anonymous = TestRig.start(repository, security);
    client = anonymous.withBearer(KEY);
    operator = anonymous.withBearer(ADMIN);
    int seed = anonymous.rig.system().address().getPort().get();
    other = TestRig.start(Files.createTempDirectory("rigserve-auth-other"),
        security + "rigserve.node.seed-nodes = \"127.0.0.1:" + seed + "\"");
    grpc = GRPCInferenceServiceClient.create(
        GrpcClientSettings.connectToServiceAt("127.0.0.1", anonymous.rig.grpcPort(), anonymous.rig.system()).withTls(false),
        anonymous.rig.system());
  }

  @AfterAll
  void stop() throws Exception {
    grpc.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    other.close();
    anonymous.close();
  }

  @Test
  void restInferenceNeedsAValidKeyOrTheAdminTokenWhileHealthAndMetadataStayOpen() throws Exception {
    Reply none = anonymous.post("/v2/models/cast/infer", CAST_INPUT);
    assertEquals(401, none.status(), none.body());
    assertTrue(none.error().contains("Authorization: Bearer"), none.body());
    assertEquals(Optional.of("Bearer realm=\"rigserve\""), none.challenge());

    Reply wrong = anonymous.withBearer(KEY + "0").post("/v2/models/cast/infer", CAST_INPUT);
    assertEquals(401, wrong.status(), wrong.body());
    assertFalse(wrong.body().contains(KEY), "the answer never echoes a secret");

    Reply ok = client.post("/v2/models/cast/infer", CAST_INPUT);
    assertEquals(200, ok.status(), ok.body());
    assertEquals("[5.0,6.0]", ok.json().get("outputs").get(0).get("data").toString());
    assertEquals(200, operator.post("/v2/models/cast/infer", CAST_INPUT).status(), "the admin token counts as a key");

    assertEquals(200, anonymous.get("/v2/health/live").status());
    assertEquals(200, anonymous.get("/v2/health/ready").status());
    assertEquals(200, anonymous.get("/v2").status());
    assertEquals(200, anonymous.get("/v2/models/cast").status());
    assertEquals(200, anonymous.get("/v2/models/cast/ready").status());
    assertEquals(200, anonymous.get("/v2/models/cast/versions/1").status());

    assertEquals(401, anonymous.post("/v2/repository/index", "{}").status());
    assertEquals(200, client.post("/v2/repository/index", "{}").status(), "the index is readable with a key");
  }

  @Test
  void grpcInferenceNeedsAKeyInTheAuthorizationMetadataWhileHealthAndMetadataStayOpen() throws Exception {
    ModelInferRequest request = ModelInferRequest.newBuilder().setModelName("cast")
        .addInputs(InferInputTensor.newBuilder().setName("ints").setDatatype("INT32").addShape(1).addShape(2)
            .setContents(InferTensorContents.newBuilder().addIntContents(5).addIntContents(6)))
        .build();
    assertCode(Status.Code.UNAUTHENTICATED, grpc.modelInfer(request));
    assertCode(Status.Code.UNAUTHENTICATED, grpc.modelInfer().addHeader("authorization", "Bearer nope").invoke(request));
    ModelInferResponse response = grpc.modelInfer().addHeader("authorization", "Bearer " + KEY).invoke(request)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(2, response.getOutputs(0).getContents().getFp64ContentsCount());
    assertEquals(6.0, response.getOutputs(0).getContents().getFp64Contents(1));

    assertTrue(await(grpc.serverLive(ServerLiveRequest.getDefaultInstance())).getLive());
    assertTrue(await(grpc.modelReady(ModelReadyRequest.newBuilder().setName("cast").build())).getReady());
    assertEquals("cast", await(grpc.modelMetadata(ModelMetadataRequest.newBuilder().setName("cast").build())).getName());
  }

  @Test
  void repositoryWritesNeedTheAdminTokenAndAnApiKeyIsForbiddenThem() throws Exception {
    byte[] model = TestModels.castInt32ToFp64();
    String upload = "/v2/repository/models/uploaded/versions/1";
    Reply none = anonymous.put(upload, model);
    assertEquals(401, none.status(), none.body());
    assertTrue(none.error().contains("admin token"), none.body());
    assertEquals(Optional.of("Bearer realm=\"rigserve\""), none.challenge());
    Reply withKey = client.put(upload, model);
    assertEquals(403, withKey.status(), withKey.body());
    assertTrue(withKey.error().contains("team-a"), "names the key, never shows it: " + withKey.body());
    assertEquals(401, anonymous.post("/v2/repository/models/cast/load", "").status());
    assertEquals(403, client.post("/v2/repository/models/cast/unload", "").status());
    assertEquals(200, client.post("/v2/models/cast/infer", CAST_INPUT).status(), "refused writes changed nothing");
    assertFalse(Files.exists(anonymous.rig.settings().repositoryPath().resolve("uploaded")), "nothing was written");

    Reply put = operator.put(upload, model);
    assertEquals(201, put.status(), put.body());
    Reply load = operator.post("/v2/repository/models/uploaded/load", "");
    assertEquals(200, load.status(), load.body());
    assertEquals(200, client.post("/v2/models/uploaded/infer", CAST_INPUT).status());
    Reply unload = operator.post("/v2/repository/models/uploaded/unload", "");
    assertEquals(200, unload.status(), unload.body());
  }

  @Test
  @Order(Integer.MAX_VALUE) // downs the second rig, which may host replicas the other tests use
  void theManagementPortNeedsTheAdminTokenExceptAliveAndReadyAndTheTokenMayDownAMember() throws Exception {
    assertEquals(200, anonymous.getManagement("/alive").status());
    assertEquals(200, anonymous.getManagement("/ready").status());
    Reply none = anonymous.getManagement("/cluster/members");
    assertEquals(401, none.status(), none.body());
    assertTrue(none.error().contains("admin token"), none.body());
    assertEquals(403, client.getManagement("/cluster/members").status());
    assertEquals(401, anonymous.getManagement("/admin/cluster").status());
    assertEquals(200, operator.getManagement("/admin/cluster").status());
    assertFalse(operator.getManagement("/admin/cluster").json().get("insecure").asBoolean());

    String otherAddress = other.rig.system().address().toString();
    assertEquals(401, anonymous.putManagement("/cluster/members/" + otherAddress, "operation=Down").status());
    assertEquals(403, client.putManagement("/cluster/members/" + otherAddress, "operation=Down").status());
    assertEquals(2, operator.getManagement("/cluster/members").json().get("members").size(), "nobody was downed");

    Reply down = operator.putManagement("/cluster/members/" + otherAddress, "operation=Down");
    assertEquals(200, down.status(), down.body());
    TestCluster.await(Duration.ofSeconds(30), "the downed rig leaves the member list", () -> {
      try {
        return operator.getManagement("/cluster/members").json().get("members").size() == 1;
      } catch (Exception e) {
        return false;
      }
    });
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static void assertCode(Status.Code code, CompletionStage<?> call) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> call.toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof StatusRuntimeException, e.toString());
    assertEquals(code, ((StatusRuntimeException) e.getCause()).getStatus().getCode(), e.getCause().getMessage());
  }
}
