package io.rigserve.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rigserve.serving.TestRig.Reply;
import io.rigserve.serving.testmodels.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Rigs that come back: killed and started again over the same folder (a new actor system, as a
 * new process would be), they serve again from the partition files on their disk; what was
 * unloaded while they were away stays unloaded.
 */
class ReturningRigTest {

  // One rig per region, three regions: a region that loses its only rig is downed by the strict
  // majority of regions after the grace, whereas a region of two rigs that loses one may down the
  // survivor (keep-majority, a tie).
  private static final String REGION_A = "us-east";
  private static final String REGION_B = "eu-west";
  private static final String REGION_C = "sa-east";
  private static final String BODY = "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]},"
      + "{\"name\":\"offset\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[0,0,0]}]}";

  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void aVersionUnloadedWhileARigWasAwayStaysUnloadedWhenItReturns() throws Exception {
    startTwoRigsServingTheMlpFromTheSecondsDisk("");
    cluster.crash("b");
    awaitGone("b");

    Reply unload = cluster.rig("a").post("/v2/repository/models/mlp/unload", "");
    assertEquals(200, unload.status(), unload.body());
    TestCluster.await(Duration.ofSeconds(20), "the unloaded model's replicas stopped", () -> cluster.readyReplicas("mlp").isEmpty());

    TestRig b = cluster.start("b", REGION_B, 53.3, -6.3, "4 GiB");
    // Long enough for a deployment published by the returning rig to be placed and loaded.
    Thread.sleep(5000);
    assertNotEquals(200, cluster.rig("a").get("/v2/models/mlp/ready").status(), "the unloaded model came back");
    assertNotEquals(200, b.get("/v2/models/mlp/ready").status(), "the unloaded model came back");
    assertEquals(503, b.post("/v2/models/mlp/infer", BODY).status());
    JsonNode entry = indexEntry(b, "mlp", "1");
    assertEquals("UNAVAILABLE", entry.get("state").asText(), entry.toString());
    assertTrue(entry.get("reason").asText().contains("unloaded in the cluster while this rig was away"), entry.toString());

    // Loaded again on purpose, it serves: the tombstone is lifted.
    Reply load = b.post("/v2/repository/models/mlp/load", "");
    assertEquals(200, load.status(), load.body());
    // The load answers once the loading rig can serve it; the other rig learns of it by gossip.
    TestCluster.await(Duration.ofSeconds(20), "the model loaded again serves from the other rig",
        () -> servesFrom("a"));
  }

  @Test
  void aRigAwayLongerThanUnloadsAreRememberedDeploysNothingTheClusterLacks() throws Exception {
    String shortMemory = "rigserve.placement.tombstone-lifetime = 3s";
    startTwoRigsServingTheMlpFromTheSecondsDisk(shortMemory);
    cluster.crash("b");
    awaitGone("b");
    Reply unload = cluster.rig("a").post("/v2/repository/models/mlp/unload", "");
    assertEquals(200, unload.status(), unload.body());
    // Past the tombstone's lifetime, and past the returning rig's last record of being in the cluster.
    Thread.sleep(4000);

    TestRig b = cluster.start("b", REGION_B, 53.3, -6.3, "4 GiB", shortMemory);
    Thread.sleep(5000);
    assertNotEquals(200, cluster.rig("a").get("/v2/models/mlp/ready").status(), "the unloaded model came back");
    JsonNode entry = indexEntry(b, "mlp", "1");
    assertEquals("UNAVAILABLE", entry.get("state").asText(), entry.toString());
    assertTrue(entry.get("reason").asText().contains("longer ago than unloads are remembered"), entry.toString());
  }

  @Test
  void aKilledRigStartedAgainOverItsFolderServesWithoutFetchingItsPartitionAgain() throws Exception {
    cluster.start("a", REGION_A, 39.0, -77.5, "4 GiB");
    cluster.start("c", REGION_C, -23.5, -46.6, "4 GiB");
    cluster.start("b", REGION_B, 53.3, -6.3, "4 GiB");
    writeMlp(cluster.repository("a"));
    Reply load = cluster.rig("a").post("/v2/repository/models/mlp/load", "");
    assertEquals(200, load.status(), load.body());
    TestCluster.await(Duration.ofSeconds(40), "a replica on each rig (one per region)", () -> cluster.readyReplicas("mlp").size() == 3);
    // b fetched its partition from a; the copy on its disk must serve the next run of b.
    Path partition = cluster.repository("b").resolve(".artifacts").resolve("mlp").resolve("1").resolve("p0.onnx");
    assertTrue(Files.isRegularFile(partition), "no partition file at " + partition);
    Object fileBefore = Files.readAttributes(partition, BasicFileAttributes.class).fileKey();
    long modifiedBefore = Files.getLastModifiedTime(partition).toMillis();

    cluster.crash("b");
    awaitGone("b");
    long started = System.nanoTime();
    TestRig b = cluster.start("b", REGION_B, 53.3, -6.3, "4 GiB");
    String self = cluster.address("b");
    TestCluster.await(Duration.ofSeconds(30), "the returning rig hosting a ready replica again", () ->
        cluster.readyReplicas("mlp").stream().anyMatch(r -> r.get("rig").asText().equals(self)));
    Reply answer = b.post("/v2/models/mlp/infer", BODY);
    long servingAfter = (System.nanoTime() - started) / 1_000_000;
    assertEquals(200, answer.status(), answer.body());
    System.out.printf("returning rig: ready and hosting its replica %d ms after its start%n", servingAfter);

    assertEquals(fileBefore, Files.readAttributes(partition, BasicFileAttributes.class).fileKey(), "the partition was fetched again");
    assertEquals(modifiedBefore, Files.getLastModifiedTime(partition).toMillis(), "the partition was rewritten");
  }

  private void startTwoRigsServingTheMlpFromTheSecondsDisk(String extraConfig) throws Exception {
    cluster.start("a", REGION_A, 39.0, -77.5, "4 GiB", extraConfig);
    cluster.start("c", REGION_C, -23.5, -46.6, "4 GiB", extraConfig);
    TestRig b = cluster.start("b", REGION_B, 53.3, -6.3, "4 GiB", extraConfig);
    writeMlp(cluster.repository("b"));
    Reply load = b.post("/v2/repository/models/mlp/load", "");
    assertEquals(200, load.status(), load.body());
    TestCluster.await(Duration.ofSeconds(40), "a replica on each rig (one per region)", () -> cluster.readyReplicas("mlp").size() == 3);
    assertEquals(200, cluster.rig("a").post("/v2/models/mlp/infer", BODY).status());
  }

  private void awaitGone(String name) throws InterruptedException {
    String address = cluster.address(name);
    TestCluster.await(Duration.ofSeconds(30), name + " removed from the cluster", () ->
        StreamSupport.stream(Cluster.get(cluster.rig("a").rig.system()).state().getMembers().spliterator(), false)
            .noneMatch(m -> m.address().toString().equals(address)));
  }

  private static void writeMlp(Path repository) throws Exception {
    Path dir = repository.resolve("mlp").resolve("1");
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.onnx"), TestModels.twoHeadMlp());
  }

  private static JsonNode indexEntry(TestRig rig, String name, String version) throws Exception {
    for (JsonNode v : rig.post("/v2/repository/index", "{}").json()) {
      if (v.get("name").asText().equals(name) && v.get("version").asText().equals(version)) return v;
    }
    throw new AssertionError("no " + name + "/" + version + " in the index of the rig");
  }

  private boolean servesFrom(String rig) {
    try {
      return cluster.rig(rig).post("/v2/models/mlp/infer", BODY).status() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
