package io.rigserve.bench.geo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The geo run: four regions with WAN delays between them, the demo model cut in two stages,
 * steady load from clients in several regions, then one fault: a region killed (its processes
 * killed, no leave) and started again, a region cut off and healed, or a region's network gone
 * (its link down, so connects to it hang) and back.
 *
 * <p>af-south has room for one stage only, so its chain borrows the other from the nearest region
 * with one (by the rigs' own RTT probes: eu-west, 160 ms away); killing eu-west makes it fail over
 * to the next nearest.
 */
public final class GeoScenario {

  public static final String MODEL = "demo";
  public static final int STAGES = 2;
  /** Deadline of each request (the {@code timeout} parameter); the client waits a little longer. */
  public static final Duration DEADLINE = Duration.ofSeconds(10);

  static final String BODY = "{\"parameters\":{\"timeout\":" + DEADLINE.toNanos() / 1_000 + "},\"inputs\":[{\"name\":\"input\","
      + "\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1.0,2.0,3.0,4.0]}]}";

  private final GeoCluster cluster;
  private final Durations durations;

  /** How long each phase of a run lasts, and how long the run waits for what it expects. */
  public record Durations(Duration steady, Duration settle, Duration downedWithin, Duration servingWithin) {
    public static Durations defaults() {
      return new Durations(Duration.ofSeconds(10), Duration.ofSeconds(6), Duration.ofSeconds(90), Duration.ofSeconds(120));
    }
  }

  public GeoScenario(GeoCluster cluster, Durations durations) {
    this.cluster = cluster;
    this.durations = durations;
  }

  public static List<GeoRegion> regions() {
    return List.of(
        new GeoRegion(1, "us-east", 39.04, -77.49, 1, "4 GiB"),
        new GeoRegion(2, "eu-west", 53.35, -6.26, 2, "4 GiB"),
        new GeoRegion(3, "sa-east", -23.55, -46.63, 1, "4 GiB"),
        // Room for one stage: its chain must borrow the other from another region.
        new GeoRegion(4, "af-south", -33.92, 18.42, 1, "100 MiB"));
  }

  /** Ready replicas each region settles at: both stages on up to two rigs; af-south holds one. */
  public static Map<String, Integer> expectedReplicas() {
    return Map.of("us-east", 2, "eu-west", 4, "sa-east", 2, "af-south", 1);
  }

  /**
   * The production cross-region failure detector (a starting JVM on a busy machine must not look
   * like a lost region), with a shorter downing grace and faster probes (waited for 2 s) so a run takes minutes.
   */
  public static Map<String, String> rigTimings() {
    return Map.of(
        "RIGSERVE_SBR_STABLE_AFTER", "5s",
        "RIGSERVE_REGION_DOWN_GRACE", "20s",
        "RIGSERVE_RTT_PROBE_INTERVAL", "1s",
        "RIGSERVE_RTT_PROBE_TIMEOUT", "2s");
  }

  /** Cuts the demo model in {@link #STAGES} and waits until every region holds its share. */
  public void deployInStages(Duration within) throws Exception {
    GeoHttp.Reply load = GeoHttp.post(cluster.gateway("us-east").restUrl() + "/v2/repository/models/" + MODEL + "/load",
        "{\"parameters\":{\"partitions\":" + STAGES + "}}", Duration.ofMinutes(3));
    if (load.status() != 200) throw new AssertionError("load answered " + load.status() + ": " + load.body());
    GeoCluster.await(within, "replicas " + expectedReplicas() + " ready", () -> {
      Map<String, Integer> ready = readyReplicas(cluster.gateway("us-east"));
      return ready.equals(expectedReplicas());
    });
  }

  /** Every rig's answer to the same request: the chain's result must not depend on the gateway. */
  public Map<String, String> answers() throws IOException, InterruptedException {
    Map<String, String> out = new TreeMap<>();
    for (GeoRig rig : cluster.all()) {
      GeoHttp.Reply r = GeoHttp.post(rig.restUrl() + "/v2/models/" + MODEL + "/infer", BODY, DEADLINE.plusSeconds(5));
      out.put(rig.name(), r.status() == 200 ? r.json().get("outputs").get(0).get("data").toString() : "HTTP " + r.status());
    }
    return out;
  }

  /** Ready replicas of the model per region, as a rig's {@code /admin/models} shows them. */
  public static Map<String, Integer> readyReplicas(GeoRig observer) {
    Map<String, Integer> ready = new TreeMap<>();
    JsonNode models = GeoHttp.jsonOrNull(observer.managementUrl() + "/admin/models");
    if (models == null) return ready;
    for (JsonNode m : models.get("models")) {
      if (!m.get("name").asText().equals(MODEL) || m.get("partitions").asInt() != STAGES) continue;
      for (JsonNode r : m.get("replicas")) {
        if (r.get("state").asText().equals("ready")) ready.merge(r.get("region").asText(), 1, Integer::sum);
      }
    }
    return ready;
  }

  /**
   * Kills every rig of {@code victim} under load from the other regions' clients, waits until the
   * others down it, lets the rest serve alone for a while, then starts the rigs again and waits
   * until the region serves again and chains borrow from it once more.
   */
  public FaultReport killRegion(String victim) throws Exception {
    List<String> clients = cluster.all().stream().map(r -> r.region().name()).distinct()
        .filter(r -> !r.equals(victim)).toList();
    RunPhases phases = new RunPhases();
    GeoLoad load = startLoad(clients);
    StageWatch watch = StageWatch.start(clients.stream().map(cluster::gateway).toList(), victim);
    try {
      phases.begin("steady");
      Thread.sleep(durations.steady().toMillis());
      saveRouting("before-kill", clients);
      if (watch.sent() == 0) throw new AssertionError("no gateway borrowed a stage from " + victim + " before the fault");
      long faultAt = phases.begin("outage");
      cluster.kill(victim);
      GeoRig observer = cluster.gateway(clients.get(0));
      GeoCluster.await(durations.downedWithin(), victim + " downed", () -> removed(observer, victim));
      long downedAt = phases.begin("recovery");
      saveRouting("kill-downed", clients);
      Thread.sleep(durations.settle().toMillis());
      long returnAt = phases.begin("return");
      cluster.startRigs(victim);
      GeoCluster.await(durations.servingWithin(), () -> victim + " ready and borrowed from again (rigs ready: "
              + cluster.rigs(victim).stream().map(GeoRig::ready).toList() + ", ready replicas: " + readyReplicas(observer)
              + ", stages sent there since: " + (watch.firstIncrease(returnAt) > 0) + ")", () ->
          cluster.rigs(victim).stream().allMatch(GeoRig::ready)
              && readyReplicas(observer).getOrDefault(victim, 0).equals(expectedReplicas().get(victim))
              && watch.firstIncrease(returnAt) > 0);
      long servingAt = watch.firstIncrease(returnAt);
      saveRouting("kill-returned", clients);
      Thread.sleep(durations.settle().toMillis());
      List<GeoLoad.Outcome> outcomes = load.stop();
      long end = System.nanoTime();
      return new FaultReport("kill " + victim + " (every rig's process killed), then start it again", victim,
          phases.stats(outcomes, end, clients), phases.byRegion(outcomes, end, clients),
          (watch.lastIncrease(faultAt, returnAt) - faultAt) / 1e6, (downedAt - faultAt) / 1e6,
          (servingAt - returnAt) / 1e6, failures(outcomes, phases));
    } finally {
      watch.stop();
      load.stop();
    }
  }

  /**
   * Cuts {@code victim} off from the other regions under load from every region's clients (its
   * own clients still reach its gateway), waits until the others down it, heals the cut and waits
   * until its rigs have rejoined and serve again.
   */
  public FaultReport cutRegion(String victim) throws Exception {
    List<String> everyRegion = cluster.all().stream().map(r -> r.region().name()).distinct().toList();
    List<String> others = everyRegion.stream().filter(r -> !r.equals(victim)).toList();
    RunPhases phases = new RunPhases();
    GeoLoad load = startLoad(everyRegion);
    StageWatch watch = StageWatch.start(others.stream().map(cluster::gateway).toList(), victim);
    try {
      phases.begin("steady");
      Thread.sleep(durations.steady().toMillis());
      boolean borrowed = watch.sent() > 0;
      long faultAt = phases.begin("cut");
      cluster.cut(victim);
      GeoRig observer = cluster.gateway(others.get(0));
      GeoCluster.await(durations.downedWithin(), victim + " downed by the majority", () -> removed(observer, victim));
      long downedAt = phases.begin("downed");
      Thread.sleep(durations.settle().toMillis());
      long healAt = phases.begin("return");
      cluster.heal();
      GeoCluster.await(durations.servingWithin(), victim + " rejoined and serving", () ->
          cluster.rigs(victim).stream().allMatch(GeoRig::ready)
              && readyReplicas(observer).getOrDefault(victim, 0).equals(expectedReplicas().get(victim))
              && readyReplicas(cluster.gateway(victim)).equals(expectedReplicas()));
      long servingAt = System.nanoTime();
      Thread.sleep(durations.settle().toMillis());
      List<GeoLoad.Outcome> outcomes = load.stop();
      long end = System.nanoTime();
      return new FaultReport("cut " + victim + " off from the other regions, then heal the cut", victim,
          phases.stats(outcomes, end, others), phases.byRegion(outcomes, end, everyRegion),
          borrowed ? (watch.lastIncrease(faultAt, healAt) - faultAt) / 1e6 : -1, (downedAt - faultAt) / 1e6,
          (servingAt - healAt) / 1e6, failures(outcomes, phases));
    } finally {
      watch.stop();
      load.stop();
    }
  }

  /**
   * Takes {@code victim}'s network away (its link goes down: peers' connects and sends hang) under
   * load from the other regions' clients, waits until the others down it, brings the network back
   * and waits until its rigs, rebuilt after learning they were downed, serve again.
   */
  public FaultReport vanishRegion(String victim) throws Exception {
    List<String> clients = cluster.all().stream().map(r -> r.region().name()).distinct()
        .filter(r -> !r.equals(victim)).toList();
    RunPhases phases = new RunPhases();
    GeoLoad load = startLoad(clients);
    StageWatch watch = StageWatch.start(clients.stream().map(cluster::gateway).toList(), victim);
    try {
      phases.begin("steady");
      Thread.sleep(durations.steady().toMillis());
      boolean borrowed = watch.sent() > 0;
      long faultAt = phases.begin("vanished");
      cluster.vanish(victim);
      GeoRig observer = cluster.gateway(clients.get(0));
      GeoCluster.await(durations.downedWithin(), victim + " downed", () -> removed(observer, victim));
      long downedAt = phases.begin("downed");
      Thread.sleep(durations.settle().toMillis());
      long returnAt = phases.begin("return");
      cluster.reappear(victim);
      GeoCluster.await(durations.servingWithin(), victim + " back and serving", () ->
          cluster.rigs(victim).stream().allMatch(GeoRig::ready)
              && readyReplicas(observer).getOrDefault(victim, 0).equals(expectedReplicas().get(victim)));
      long servingAt = System.nanoTime();
      Thread.sleep(durations.settle().toMillis());
      List<GeoLoad.Outcome> outcomes = load.stop();
      long end = System.nanoTime();
      return new FaultReport("the network of " + victim + " vanishes (its link down: connects hang), then returns", victim,
          phases.stats(outcomes, end, clients), phases.byRegion(outcomes, end, clients),
          borrowed ? (watch.lastIncrease(faultAt, returnAt) - faultAt) / 1e6 : -1, (downedAt - faultAt) / 1e6,
          (servingAt - returnAt) / 1e6, failures(outcomes, phases));
    } finally {
      watch.stop();
      load.stop();
    }
  }

  /** Keeps what each gateway's {@code /admin/routing} shows now, in the work folder, for reading after a run. */
  private void saveRouting(String moment, List<String> regions) {
    for (String r : regions) {
      JsonNode routing = GeoHttp.jsonOrNull(cluster.gateway(r).managementUrl() + "/admin/routing");
      if (routing == null) continue;
      try {
        Files.writeString(cluster.workDir().resolve("routing-" + moment + "-" + r + ".json"), routing.toPrettyString());
      } catch (IOException e) {
        System.err.println("could not save the routing of " + r + ": " + e);
      }
    }
  }

  private GeoLoad startLoad(List<String> regions) {
    List<String[]> gateways = regions.stream().map(r -> new String[] {r, cluster.gateway(r).restUrl()}).toList();
    return GeoLoad.start(gateways, 2, MODEL, BODY, Duration.ofMillis(50), DEADLINE.plusSeconds(5), Duration.ofMinutes(8));
  }

  /** Whether the observer's cluster view has no member left at the region's address. */
  private static boolean removed(GeoRig observer, String region) {
    JsonNode members = GeoHttp.jsonOrNull(observer.managementUrl() + "/cluster/members");
    if (members == null) return false;
    String host = regions().stream().filter(r -> r.name().equals(region)).findFirst().orElseThrow().canonicalHost();
    for (JsonNode m : members.get("members")) {
      if (m.get("node").asText().contains("@" + host + ":")) return false;
    }
    return true;
  }

  private static List<String> failures(List<GeoLoad.Outcome> outcomes, RunPhases phases) {
    List<String> out = new ArrayList<>();
    for (GeoLoad.Outcome o : outcomes) {
      if (o.succeeded()) continue;
      if (out.size() == 20) break;
      String error = o.error() == null ? "" : o.error();
      out.add(phases.at(o.startNanos()) + " " + o.region() + " HTTP " + o.status() + " after "
          + Math.round(o.millis()) + " ms: " + error.substring(0, Math.min(1500, error.length())));
    }
    return out;
  }
}
