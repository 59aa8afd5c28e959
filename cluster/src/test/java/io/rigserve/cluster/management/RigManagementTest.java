package io.rigserve.cluster.management;

import static io.rigserve.cluster.testkit.ClusterHarness.Region.AF_SOUTH;
import static io.rigserve.cluster.testkit.ClusterHarness.Region.EU_WEST;
import static io.rigserve.cluster.testkit.ClusterHarness.Region.SA_EAST;
import static io.rigserve.cluster.testkit.ClusterHarness.Region.US_EAST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rigserve.cluster.testkit.ClusterHarness;
import io.rigserve.cluster.testkit.Eventually;
import io.rigserve.cluster.testkit.Rig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RigManagementTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<Address, List<?>> hosted = new HashMap<>();
  private final ClusterHarness harness =
      ClusterHarness.withManagement(() -> CompletableFuture.completedFuture(Map.copyOf(hosted)));
  private List<Rig> rigs;

  @BeforeAll
  void startOneRigInEachOfThreeRegions() {
    rigs = harness.startCluster(1, US_EAST, EU_WEST, AF_SOUTH);
    hosted.put(rigs.get(1).address(), List.of("resnet@1/p0/r0", "resnet@1/p1/r0"));
  }

  @AfterAll
  void stop() {
    harness.close();
  }

  @Test
  void adminClusterListsEveryRigWithItsIdentityStatusReachabilityAndHostedReplicas() throws Exception {
    Rig asked = rigs.get(0);
    Eventually.assertWithin(Duration.ofSeconds(10), () -> {
      HttpResponse<String> response = get(asked, "/admin/cluster");
      assertEquals(200, response.statusCode());
      assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
      JsonNode body = read(response.body());
      assertEquals(asked.address().toString(), body.get("self").asText());
      assertEquals("us-east", body.get("region").asText());
      assertEquals(0, body.get("unreachableRegions").size());
      JsonNode members = body.get("members");
      assertEquals(3, members.size());
      for (Rig rig : rigs) {
        JsonNode m = member(members, rig.address());
        assertEquals(rig.region().name(), m.get("region").asText());
        assertEquals(rig.region().name() + "-a", m.get("zone").asText());
        assertEquals(rig.region().latitude(), m.get("latitude").asDouble());
        assertEquals(rig.region().longitude(), m.get("longitude").asDouble());
        assertEquals(2L << 30, m.get("modelMemoryBytes").asLong());
        assertEquals("Up", m.get("status").asText());
        assertTrue(m.get("reachable").asBoolean());
      }
      assertEquals(List.of("resnet@1/p0/r0", "resnet@1/p1/r0"),
          StreamSupport.stream(member(members, rigs.get(1).address()).get("hostedReplicas").spliterator(), false)
              .map(JsonNode::asText).toList());
      assertEquals(0, member(members, rigs.get(2).address()).get("hostedReplicas").size());
    });
  }

  @Test
  void adminRegionsShowsTheRttThisRigMeasuredToEveryRegion() {
    Rig asked = rigs.get(1);
    Eventually.assertWithin(Duration.ofSeconds(10), () -> {
      HttpResponse<String> response = get(asked, "/admin/regions");
      assertEquals(200, response.statusCode());
      JsonNode body = read(response.body());
      assertEquals("eu-west", body.get("region").asText());
      JsonNode regions = body.get("regions");
      Set<String> names = StreamSupport.stream(regions.spliterator(), false)
          .map(r -> r.get("region").asText()).collect(Collectors.toSet());
      assertEquals(Set.of("us-east", "eu-west", "af-south"), names);
      for (JsonNode r : regions) {
        assertTrue(r.get("reachable").asBoolean());
        assertEquals(1, r.get("members").asInt());
        if (r.get("local").asBoolean()) {
          continue; // one rig alone in its region has nobody nearby to measure
        }
        assertFalse(r.get("prior").asBoolean(), "measured, not the prior: " + r);
        assertTrue(r.get("samples").asLong() > 0);
        double rtt = r.get("rttMs").asDouble();
        assertTrue(rtt > 0 && rtt < 50, "loopback rtt " + rtt);
        assertTrue(r.get("ageMs").asLong() < 5000);
      }
    });
  }

  @Test
  void pekkoManagementClusterMembersAndAliveAreServedOnTheSamePortReadOnlyWithoutAnAdminToken() throws Exception {
    HttpResponse<String> members = get(rigs.get(2), "/cluster/members");
    assertEquals(200, members.statusCode());
    assertEquals(3, read(members.body()).get("members").size());
    assertEquals(200, get(rigs.get(2), "/alive").statusCode());
    // No admin token configured: member operations are not served at all, so nobody can Down a rig.
    HttpResponse<String> refused = put(rigs.get(2), "/cluster/members/" + rigs.get(0).address(), "operation=Down");
    assertEquals(405, refused.statusCode(), refused.body());
    assertEquals(3, read(get(rigs.get(2), "/cluster/members").body()).get("members").size());
  }

  @Test
  void readyIsFalseBeforeTheRigJoinsTrueOnceUpAndFalseWhileAConditionIsFalse() {
    try (ClusterHarness alone = ClusterHarness.withManagement(HostedReplicasSource.NONE)) {
      Rig rig = alone.startRig(SA_EAST);
      assertEquals(200, get(rig, "/alive").statusCode());
      assertEquals(500, get(rig, "/ready").statusCode(), "not ready before joining");

      alone.join(List.of(rig));
      Eventually.await(Duration.ofSeconds(15), "ready once Up", () -> get(rig, "/ready").statusCode() == 200);

      ReadinessConditions.get(rig.system())
          .add("replicas-loaded", () -> CompletableFuture.completedFuture(false));
      assertEquals(500, get(rig, "/ready").statusCode(), "not ready while a condition is false");
      ReadinessConditions.get(rig.system()).add("replicas-loaded", () -> CompletableFuture.completedFuture(true));
      assertEquals(200, get(rig, "/ready").statusCode());
    }
  }

  private HttpResponse<String> get(Rig rig, String path) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rig.managementPort() + path))
            .timeout(Duration.ofSeconds(5))
            .GET()
            .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("GET " + path + " failed: " + e, e);
    }
  }

  private HttpResponse<String> put(Rig rig, String path, String form) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rig.managementPort() + path))
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .PUT(HttpRequest.BodyPublishers.ofString(form))
            .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("PUT " + path + " failed: " + e, e);
    }
  }

  private static JsonNode read(String body) {
    try {
      return JSON.readTree(body);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }

  private static JsonNode member(JsonNode members, Address address) {
    for (JsonNode m : members) {
      if (m.get("address").asText().equals(address.toString())) {
        return m;
      }
    }
    throw new AssertionError("no member " + address + " in " + members);
  }
}
