package io.rigserve.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.serving.TestRig.Reply;
import io.rigserve.serving.testmodels.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three regions, each with a full chain. One region is cut off from the others (its rigs stay
 * up): both sides keep answering their own clients; the majority downs the cut-off region after
 * the grace; after the cut heals, the majority's deployment and replicas are intact and rigs
 * started again in that region rejoin and serve.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegionCutTest {

  private final TestCluster cluster = new TestCluster();

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  void aCutOffRegionServesItsOwnClientsAndTheMajorityStaysWhole() throws Exception {
    for (String[] r : new String[][] {{"us-east", "39.0", "-77.5"}, {"eu-west", "53.3", "-6.3"}, {"sa-east", "-23.5", "-46.6"}}) {
      for (int i = 0; i < 2; i++) {
        cluster.start(r[0] + "-" + i, r[0], Double.parseDouble(r[1]), Double.parseDouble(r[2]), "4 GiB");
      }
    }
    Path dir = cluster.repository("us-east-0").resolve("conv").resolve("1");
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.onnx"), TestModels.convNet());
    Reply load = cluster.rig("us-east-0").post("/v2/repository/models/conv/load", "{\"parameters\": {\"partitions\": 2}}");
    assertEquals(200, load.status(), load.body());
    TestCluster.await(Duration.ofSeconds(60), "a full chain in every region", () -> cluster.readyReplicas("conv").size() == 12);

    String body = "{\"parameters\":{\"timeout\":20000000},\"inputs\":[{\"name\":\"image\",\"shape\":[1,1,8,8],"
        + "\"datatype\":\"FP32\",\"data\":" + Arrays.toString(new float[64]) + "}]}";
    SteadyLoad majorityLoad = SteadyLoad.start(cluster.rig("us-east-0"), "/v2/models/conv/infer", body, 1);
    SteadyLoad isolatedLoad = SteadyLoad.start(cluster.rig("sa-east-0"), "/v2/models/conv/infer", body, 1);
    Thread.sleep(2000);
    cluster.cut("sa-east");
    TestRig majority = cluster.rig("us-east-0");
    TestCluster.await(Duration.ofSeconds(40), "the cut-off region downed by the majority", () ->
        StreamSupport.stream(Cluster.get(majority.rig.system()).state().getMembers().spliterator(), false)
            .noneMatch(m -> m.dataCenter().equals("sa-east")));
    int isolatedDuringCut = isolatedLoad.answered();
    majorityLoad.stop();
    isolatedLoad.stop();
    List<String> failures = new ArrayList<>(majorityLoad.failures());
    failures.addAll(isolatedLoad.failures());
    System.out.printf("region cut: majority answered %d, cut-off region answered %d of its own clients, %d failed%n",
        majorityLoad.answered(), isolatedDuringCut, failures.size());
    assertEquals(List.of(), failures, "requests failed during the cut");
    assertTrue(isolatedDuringCut > 10, "the cut-off region stopped serving its own clients: " + isolatedDuringCut);

    cluster.heal("sa-east");
    Thread.sleep(3000);
    // The majority's side is whole: the deployment, its replicas and its answers.
    assertEquals(8, cluster.readyReplicas("conv").stream()
        .filter(r -> !r.get("region").asText().equals("sa-east")).count());
    Reply after = cluster.rig("eu-west-1").post("/v2/models/conv/infer", body);
    assertEquals(200, after.status(), after.body());

    cluster.start("sa-east-2", "sa-east", -23.5, -46.6, "4 GiB");
    cluster.start("sa-east-3", "sa-east", -23.5, -46.6, "4 GiB");
    TestCluster.await(Duration.ofSeconds(60), "sa-east serving again", () ->
        cluster.readyReplicas("conv").stream().filter(r -> r.get("region").asText().equals("sa-east")).count() == 4);
    Reply back = cluster.rig("sa-east-2").post("/v2/models/conv/infer", body);
    assertEquals(200, back.status(), back.body());
  }
}
