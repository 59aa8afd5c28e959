package io.rigserve.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rigserve.serving.TestRig.Reply;
import io.rigserve.serving.testmodels.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A region whose rigs can host only the first stage borrows the second from the other two
 * regions. Under steady load from its gateway, every rig of the region it borrows from is
 * killed: no request fails, stages stop going to the dead region within seconds, the region is
 * downed after the grace, and rigs started there again rejoin and serve.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegionOutageTest {

  private final TestCluster cluster = new TestCluster();

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  void killingTheRegionAChainBorrowsFromLosesNoRequest() throws Exception {
    cluster.start("us-east-0", "us-east", 39.0, -77.5, "100 MiB");
    cluster.start("us-east-1", "us-east", 39.0, -77.5, "100 MiB");
    for (String r : List.of("eu-west", "sa-east")) {
      double lat = r.equals("eu-west") ? 53.3 : -23.5;
      double lon = r.equals("eu-west") ? -6.3 : -46.6;
      cluster.start(r + "-0", r, lat, lon, "4 GiB");
      cluster.start(r + "-1", r, lat, lon, "4 GiB");
    }
    Path dir = cluster.repository("us-east-0").resolve("conv").resolve("1");
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.onnx"), TestModels.convNet());
    TestRig gateway = cluster.rig("us-east-0");
    Reply load = gateway.post("/v2/repository/models/conv/load", "{\"parameters\": {\"partitions\": 2}}");
    assertEquals(200, load.status(), load.body());
    TestCluster.await(Duration.ofSeconds(60), "both stages in eu-west and sa-east, the first in us-east",
        () -> cluster.readyReplicas("conv").size() == 10);

    String body = "{\"parameters\":{\"timeout\":20000000},\"inputs\":[{\"name\":\"image\",\"shape\":[1,1,8,8],"
        + "\"datatype\":\"FP32\",\"data\":" + Arrays.toString(new float[64]) + "}]}";
    SteadyLoad traffic = SteadyLoad.start(gateway, "/v2/models/conv/infer", body, 3);
    Thread.sleep(3000);
    String victim = busiestBorrowedRegion(gateway);
    Map<String, Long> before = sentTo(gateway, victim);
    assertTrue(before.values().stream().mapToLong(Long::longValue).sum() > 0, "no stage went to " + victim);
    long killedAt = System.nanoTime();
    cluster.crash(victim + "-0");
    cluster.crash(victim + "-1");

    // Stages stop going to the dead region: the last time its counters moved.
    long lastSentNanos = killedAt;
    Map<String, Long> seen = sentTo(gateway, victim);
    long watchUntil = killedAt + Duration.ofSeconds(12).toNanos();
    while (System.nanoTime() < watchUntil) {
      Thread.sleep(100);
      Map<String, Long> now = sentTo(gateway, victim);
      if (!now.equals(seen)) lastSentNanos = System.nanoTime();
      seen = now;
    }
    double quietAfterMillis = (lastSentNanos - killedAt) / 1e6;
    System.out.printf("region outage: last stage sent to %s %.0f ms after the kill%n", victim, quietAfterMillis);
    assertTrue(quietAfterMillis < 5_000, "stages still went to the dead region " + quietAfterMillis + " ms after it died");

    TestCluster.await(Duration.ofSeconds(40), "the dead region downed and removed", () ->
        StreamSupport.stream(Cluster.get(gateway.rig.system()).state().getMembers().spliterator(), false)
            .noneMatch(m -> m.dataCenter().equals(victim)));
    traffic.stop();
    System.out.printf("region outage: %d requests answered, %d failed%n", traffic.answered(), traffic.failures().size());
    assertEquals(List.of(), traffic.failures(), "requests failed during the outage");
    assertTrue(traffic.answered() > 20, "too little load to mean anything: " + traffic.answered());

    // What an operator reads: the stages the dead region held were replayed, and the borrowed partition moved over.
    JsonNode routing = gateway.getManagement("/admin/routing").json();
    JsonNode failovers = routing.get("failovers");
    assertTrue(failovers.get("total").asLong() > 0, "no failover recorded: " + failovers);
    assertEquals(0, failovers.get("notReplayed").asLong(), "every failover found a replica: " + failovers);
    boolean fromVictim = false;
    for (JsonNode f : failovers.get("recent")) {
      fromVictim |= f.get("from").asText().contains(" in " + victim + " ");
      assertTrue(f.hasNonNull("to") && f.hasNonNull("time") && !f.get("reason").asText().isEmpty(), f.toString());
    }
    assertTrue(fromVictim, "no recent failover away from " + victim + ": " + failovers);
    Map<String, Long> borrowed = new TreeMap<>();
    for (JsonNode p : routing.get("partitions")) {
      if (p.get("model").asText().equals("conv") && p.get("partition").asInt() == 1) {
        for (Map.Entry<String, JsonNode> e : p.get("byRegion").properties()) borrowed.put(e.getKey(), e.getValue().asLong());
      }
    }
    assertEquals(Set.of("eu-west", "sa-east"), borrowed.keySet(), "partition 1 is borrowed from both: " + routing);

    double lat = victim.equals("eu-west") ? 53.3 : -23.5;
    double lon = victim.equals("eu-west") ? -6.3 : -46.6;
    cluster.start(victim + "-2", victim, lat, lon, "4 GiB");
    cluster.start(victim + "-3", victim, lat, lon, "4 GiB");
    TestCluster.await(Duration.ofSeconds(60), victim + " serving again", () ->
        cluster.readyReplicas("conv").stream().filter(r -> r.get("region").asText().equals(victim)).count() == 4);
    Reply back = cluster.rig(victim + "-2").post("/v2/models/conv/infer", body);
    assertEquals(200, back.status(), back.body());
  }

  /**
   * The region (other than the gateway's) that received the most stages from the gateway during
   * the last second: the one its chains borrow from now (routing may have moved since earlier).
   */
  private static String busiestBorrowedRegion(TestRig gateway) throws Exception {
    Map<String, Long> earlier = borrowedByRegion(gateway);
    Thread.sleep(1000);
    Map<String, Long> lately = borrowedByRegion(gateway);
    lately.replaceAll((region, sent) -> sent - earlier.getOrDefault(region, 0L));
    return lately.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }

  private static Map<String, Long> borrowedByRegion(TestRig gateway) throws Exception {
    Map<String, Long> byRegion = new TreeMap<>();
    for (JsonNode r : gateway.getManagement("/admin/routing").json().get("replicas")) {
      if (!r.get("region").asText().equals("us-east")) byRegion.merge(r.get("region").asText(), r.get("sent").asLong(), Long::sum);
    }
    return byRegion;
  }

  private static Map<String, Long> sentTo(TestRig gateway, String region) {
    Map<String, Long> sent = new TreeMap<>();
    try {
      for (JsonNode r : gateway.getManagement("/admin/routing").json().get("replicas")) {
        if (r.get("region").asText().equals(region)) sent.put(r.get("id").asText(), r.get("sent").asLong());
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return sent;
  }
}
