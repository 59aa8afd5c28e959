package io.rigserve.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rigserve.serving.TestRig.Reply;
import io.rigserve.serving.cli.RigserveCommand;
import io.rigserve.serving.testmodels.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import picocli.CommandLine;

/**
 * Draining rigs of a three-rig region under steady load from real HTTP clients: by the CLI's
 * {@code drain} (the admin route), then by stopping a rig as SIGTERM does. A model with one
 * replica per region has a ready replica throughout, so the drained replica was replaced before
 * it stopped, and no request fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RigDrainTest {

  private static final String ADMIN = "drain-admin-7c1d";
  private static final String REGION = "eu-west";
  private static final String MLP = "/v2/models/mlp/infer";
  private static final String MLP_REQUEST = "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,4],\"datatype\":\"FP32\","
      + "\"data\":[1,2,3,4]},{\"name\":\"offset\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[0,0,0]}]}";

  private final TestCluster cluster = new TestCluster();
  private Path tokenFile;
  /** The rig the test reads admin views from and sends its clients to. */
  private TestRig admin;

  @BeforeAll
  void start() throws Exception {
    tokenFile = Files.writeString(Files.createTempDirectory("rigserve-drain").resolve("admin-token"), ADMIN);
    // No rig is crashed here: a long heartbeat pause keeps a busy machine from downing one by mistake.
    String config = "rigserve.security.admin-token-file = \"" + tokenFile.toString().replace("\\", "/") + "\"\n"
        + "rigserve.drain.on-stop = on\nrigserve.drain.on-stop-timeout = 30s\n"
        + "rigserve.cluster.failure-detector.acceptable-heartbeat-pause = 15s\nrigserve.cluster.region-down-grace = 25s\n";
    TestRig first = cluster.start("a", REGION, 53.3, -6.3, "512 MiB", config).withBearer(ADMIN);
    Reply upload = first.put("/v2/repository/models/mlp/versions/1", TestModels.twoHeadMlp());
    assertEquals(201, upload.status(), upload.body());
    for (String name : List.of("b", "c")) cluster.start(name, REGION, 53.3, -6.3, "512 MiB", config);
    admin = first;
    TestCluster.await(Duration.ofSeconds(60), "three members", () -> {
      try {
        return members().size() == 3;
      } catch (IllegalStateException e) {
        return false; // a busy rig's management port may drop a connection while the cluster forms
      }
    });
    Reply load = first.post("/v2/repository/models/mlp/load",
        "{\"parameters\": {\"partitions\": 1, \"replicas_per_region\": 1}}");
    assertEquals(200, load.status(), load.body());
    TestCluster.await(Duration.ofSeconds(60), "a ready replica", () -> readyRigs().size() == 1);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  @Order(1)
  void theCliDrainsARigUnderLoadAndItsReplicaIsReadyElsewhereBeforeItStops() throws Exception {
    String drained = readyRigs().get(0);
    String path = drainPath(drained);
    assertEquals("serving", admin.getManagement(path).json().get("state").asText());

    ReadyWatch watch = ReadyWatch.start(this);
    SteadyLoad load = SteadyLoad.start(admin, MLP, MLP_REQUEST, 3);
    Thread.sleep(500);
    Run drain = cli("drain", drained, "--wait", "PT60S", "--poll", "PT0.2S");
    Thread.sleep(500);
    load.stop();
    watch.stop();

    assertEquals(0, drain.code, drain.out + drain.err);
    assertTrue(drain.out.strip().endsWith(drained + ": empty"), drain.out);
    assertTrue(load.failures().isEmpty(), load.failures().size() + " failed of " + load.answered() + ": " + load.failures());
    assertTrue(load.answered() > 0);
    assertEquals(1, watch.fewest(), "a moment without a ready replica: the drain broke before it made");
    // The gateway's directory learns of the released replica by gossip, a moment after the drained rig reports empty.
    TestCluster.await(Duration.ofSeconds(10), "one ready replica, not on the drained rig", () -> {
      List<String> ready = readyRigs();
      return ready.size() == 1 && !ready.contains(drained);
    });
    JsonNode report = admin.getManagement(path).json();
    assertEquals("empty", report.get("state").asText(), report.toString());
    assertEquals(0, report.get("replicas").size());
    assertTrue(members().contains(drained), "draining does not take the rig out of the cluster");
  }

  @Test
  @Order(2)
  void aStoppingRigDrainsItselfBeforeItLeaves() throws Exception {
    String stopping = readyRigs().get(0);
    String name = rigNamed(stopping);
    // Clients and the admin view go through a rig that stays (the drained one still serves as a gateway).
    admin = cluster.rig(List.of("a", "b", "c").stream().filter(n -> !n.equals(name)).findFirst().orElseThrow()).withBearer(ADMIN);

    ReadyWatch watch = ReadyWatch.start(this);
    SteadyLoad load = SteadyLoad.start(admin, MLP, MLP_REQUEST, 3);
    Thread.sleep(500);
    cluster.stop(name);
    Thread.sleep(500);
    load.stop();
    watch.stop();

    assertTrue(load.failures().isEmpty(), load.failures().size() + " failed of " + load.answered() + ": " + load.failures());
    assertEquals(1, watch.fewest(), "a moment without a ready replica: the stopping rig left before it was replaced");
    TestCluster.await(Duration.ofSeconds(30), "the stopped rig leaves", () -> !members().contains(stopping));
    TestCluster.await(Duration.ofSeconds(10), "one ready replica, not on the stopped rig", () -> {
      List<String> ready = readyRigs();
      return ready.size() == 1 && !ready.contains(stopping);
    });
  }

  @Test
  @Order(3)
  void aDrainOfNoMemberOrWithoutTheTokenIsRefusedClearly() throws Exception {
    String ghost = drainPath("pekko://rigserve@127.0.0.1:1");
    Reply unknown = admin.getManagement(ghost);
    assertEquals(404, unknown.status(), unknown.body());
    assertTrue(unknown.error().contains("no member of the cluster has the address pekko://rigserve@127.0.0.1:1"), unknown.body());
    String someone = drainPath(members().get(0));
    Reply anonymous = cluster.rig(rigNamed(admin.rig.system().address().toString())).getManagement(someone);
    assertEquals(401, anonymous.status(), anonymous.body());
    Run cli = cli("drain", "pekko://rigserve@127.0.0.1:1", "--wait", "PT5S");
    assertEquals(1, cli.code, cli.out);
    assertTrue(cli.err.contains("404") && cli.err.contains("no member"), cli.err);
  }

  private static String drainPath(String rig) {
    return "/admin/rigs/" + URLEncoder.encode(rig, StandardCharsets.UTF_8) + "/drain";
  }

  private String rigNamed(String address) {
    return List.of("a", "b", "c").stream().filter(n -> cluster.address(n).equals(address)).findFirst().orElseThrow();
  }

  /** Addresses of the rigs that hold a ready replica of mlp, as the gateway's directory shows them. */
  List<String> readyRigs() {
    try {
      List<String> rigs = new ArrayList<>();
      for (JsonNode m : admin.getManagement("/admin/models").json().get("models")) {
        if (!m.get("name").asText().equals("mlp")) continue;
        for (JsonNode r : m.get("replicas")) if (r.get("state").asText().equals("ready")) rigs.add(r.get("rig").asText());
      }
      return rigs;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private List<String> members() {
    try {
      List<String> out = new ArrayList<>();
      for (JsonNode m : admin.getManagement("/cluster/members").json().get("members")) out.add(m.get("node").asText());
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Run cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--url", "http://127.0.0.1:" + admin.rig.managementPort(), "--token-file", tokenFile.toString()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = RigserveCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  private record Run(int code, String out, String err) {}

  /** Samples the number of ready replicas every 50 ms (for at most 90 s) and keeps the fewest seen. */
  private static final class ReadyWatch {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger fewest = new AtomicInteger(Integer.MAX_VALUE);
    private Thread thread;

    static ReadyWatch start(RigDrainTest test) {
      ReadyWatch watch = new ReadyWatch();
      watch.thread = new Thread(() -> {
        long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (watch.running.get() && System.nanoTime() < until) {
          watch.fewest.accumulateAndGet(test.readyRigs().size(), Math::min);
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      watch.thread.start();
      return watch;
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }

    int fewest() {
      return fewest.get();
    }
  }
}
