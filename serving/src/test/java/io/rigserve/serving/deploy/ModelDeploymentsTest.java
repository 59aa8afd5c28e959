package io.rigserve.serving.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.cluster.Failures;
import io.rigserve.serving.TestRig;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.error.InvalidModel;
import io.rigserve.serving.error.ModelNotReady;
import io.rigserve.serving.error.UnknownModel;
import io.rigserve.serving.repository.ModelVersion;
import io.rigserve.serving.repository.VersionState;
import io.rigserve.serving.testmodels.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The repository extension's core API, called as the REST and gRPC front ends call it, on a real
 * rig (a cluster of one, real ONNX models): each change completes once the rig sees its effect.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelDeploymentsTest {

  private Path repository;
  private TestRig rig;
  private ModelDeployments deployments;

  @BeforeAll
  void start() throws Exception {
    repository = Files.createTempDirectory("rigserve-deployments");
    write("cast", "1", TestModels.castInt32ToFp64());
    write("cast", "2", TestModels.castInt32ToFp64());
    write("broken", "1", "not an ONNX model".getBytes(StandardCharsets.UTF_8));
    // Short, so that a load that cannot be served fails quickly.
    rig = TestRig.start(repository, "rigserve.repository.load-timeout = 3s");
    deployments = rig.rig.deployments();
  }

  @AfterAll
  void stop() throws Exception {
    rig.close();
  }

  @Test
  void unloadCompletesOnceNoVersionServesAndLoadOnceEveryVersionDoes() throws Exception {
    await(deployments.unload("cast"));
    assertEquals(List.of("UNAVAILABLE unloaded", "UNAVAILABLE unloaded"), states("cast"));
    assertEquals(503, rig.get("/v2/models/cast/ready").status());

    await(deployments.load("cast", DeployParameters.defaults()));
    // Completed means served: no polling needed before asking.
    assertEquals(List.of("READY ", "READY "), states("cast"));
    assertEquals(200, rig.get("/v2/models/cast/versions/1/ready").status());
    assertEquals(200, rig.get("/v2/models/cast/versions/2/ready").status());
  }

  @Test
  void theIndexShowsEveryVersionOnDiskAndOnlyReadyOnesWhenAsked() throws Exception {
    await(deployments.load("cast", DeployParameters.defaults()));
    List<ModelVersion> all = deployments.index(false);
    ModelVersion broken = all.stream().filter(v -> v.name().equals("broken")).findFirst().orElseThrow();
    assertEquals(VersionState.UNAVAILABLE, broken.state());
    assertTrue(broken.reason().startsWith("not an ONNX model"), broken.reason());
    assertEquals(64, broken.sha256().length(), "the sha256 of a file placed by hand is recorded once listed");

    List<ModelVersion> ready = deployments.index(true);
    assertTrue(ready.stream().allMatch(v -> v.state() == VersionState.READY), ready.toString());
    assertEquals(List.of("cast@1", "cast@2"), ready.stream().map(v -> v.name() + "@" + v.version()).toList());
  }

  @Test
  void aModelThatIsNotThereOrNotNamedAsAFolderIsRefusedAsTheClientsFault() {
    assertInstanceOf(UnknownModel.class, failure(deployments.load("absent", DeployParameters.defaults())));
    assertInstanceOf(UnknownModel.class, failure(deployments.unload("absent")));
    assertInstanceOf(InvalidInput.class, failure(deployments.load("../cast", DeployParameters.defaults())));
    assertInstanceOf(InvalidModel.class, failure(deployments.load("broken", DeployParameters.defaults())));
  }

  @Test
  void aLoadNoRigCanServeFailsAfterTheLoadTimeoutNamingWhatIsMissing() throws Exception {
    write("elsewhere", "1", TestModels.castInt32ToFp64());
    DeployParameters nowhere = DeployParameters.from(Map.of("regions", "nowhere"));
    long started = System.nanoTime();
    Throwable failure = failure(deployments.load("elsewhere", nowhere));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertInstanceOf(ModelNotReady.class, failure);
    assertTrue(failure.getMessage().contains("elsewhere@1: no ready replica of partition 0"), failure.getMessage());
    assertTrue(tookMillis >= 2_500 && tookMillis < 20_000, "failed after " + tookMillis + " ms");
    assertEquals(List.of("LOADING no ready replica of partition 0"), states("elsewhere"));
    assertEquals(503, rig.get("/v2/health/ready").status(), "a rig is not ready while a version of its disk loads");

    await(deployments.unload("elsewhere"));
    assertEquals(List.of("UNAVAILABLE unloaded"), states("elsewhere"));
    rig.awaitReady(Duration.ofSeconds(30));
  }

  @Test
  void readinessAndTheIndexAnswerFromMemoryWhileTheModelsFolderIsAway() throws Exception {
    await(deployments.load("cast", DeployParameters.defaults()));
    rig.awaitReady(Duration.ofSeconds(10));
    // The model's folder (its files and recorded sha256s) goes; the partition files replicas load from stay.
    Path folder = repository.resolve("cast");
    Path away = repository.resolveSibling(repository.getFileName() + "-cast-away");
    Files.move(folder, away);
    try {
      assertEquals(200, rig.get("/v2/health/ready").status());
      TestRig.Reply index = rig.post("/v2/repository/index", "{\"ready\": true}");
      assertEquals(200, index.status(), index.body());
      assertEquals(2, index.json().size(), index.body());
      assertEquals(64, index.json().get(0).get("sha256").asText().length(), index.body());
    } finally {
      Files.move(away, folder);
    }
  }

  private List<String> states(String model) {
    return deployments.index(false).stream().filter(v -> v.name().equals(model))
        .map(v -> v.state() + " " + v.reason()).toList();
  }

  private void write(String name, String version, byte[] onnx) throws Exception {
    Path dir = Files.createDirectories(repository.resolve(name).resolve(version));
    Files.write(dir.resolve("model.onnx"), onnx);
  }

  private static void await(CompletionStage<?> change) throws Exception {
    change.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static Throwable failure(CompletionStage<?> change) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> change.toCompletableFuture().get(60, TimeUnit.SECONDS));
    return Failures.unwrap(e);
  }
}
