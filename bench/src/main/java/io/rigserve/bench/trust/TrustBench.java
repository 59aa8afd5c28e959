package io.rigserve.bench.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.quarantine.QuarantineRegistry;
import io.rigserve.serving.Rig;
import io.rigserve.serving.demo.DemoModels;
import io.rigserve.serving.runtime.OnnxModel;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.serving.runtime.RuntimeSettings;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Measures the trust checks on four whole rigs of four owners in one JVM and one region: one rig
 * (mallory) whose runtime corrupts outputs when told to, one (bob) whose floats differ slightly
 * as other hardware's would. Clients send to every rig in turn, over REST. Phases: a liar from
 * its first run (several trials, released in between), a liar that turns bad after probation,
 * the extra compute of steady state, and a run of verified-before-answering requests for honest
 * rigs quarantined by mistake. Every answer is compared with ONNX Runtime's own. The last line
 * is the summary.
 */
public final class TrustBench {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] OWNERS = {"alice", "bob", "carol", "mallory"};
  private static final String SAMPLED = "demo";
  private static final String VERIFIED = "checked";

  private final List<Rig> rigs = new ArrayList<>();
  /** The first rig's repository folder, where the bench writes the models it loads. */
  private Path firstRepository;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<float[]> inputs = new ArrayList<>();
  private final List<float[]> expected = new ArrayList<>();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong wrong = new AtomicLong();
  private final AtomicLong next = new AtomicLong();
  private LyingRuntimes liar;

  public static void main(String[] args) throws Exception {
    int trials = 5;
    int steady = 5_000;
    int verified = 10_000;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--trials" -> trials = Integer.parseInt(args[i + 1]);
        case "--steady" -> steady = Integer.parseInt(args[i + 1]);
        case "--verified" -> verified = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    TrustBench bench = new TrustBench();
    try {
      bench.run(trials, steady, verified);
    } finally {
      bench.stop();
    }
    System.exit(0);
  }

  private void run(int trials, int steady, int verified) throws Exception {
    inputs();
    startRigs();
    load(SAMPLED);
    load(VERIFIED);
    String mallory = address(3);

    // 1. A liar from its first run: each trial starts it on probation (released, its ledger reset).
    List<Long> firstRun = new ArrayList<>();
    for (int t = 0; t < trials; t++) {
      long runs = untilQuarantined(mallory, 1.0, 3_000);
      firstRun.add(runs);
      System.out.printf("liar from its first run, trial %d: quarantined after %d of its stage runs%n", t + 1, runs);
      release(mallory);
    }

    // 2. A liar that turns bad once every gateway has seen it past probation.
    long probation = ConfigFactory.load().getLong("rigserve.trust.probation-runs");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (minRunsOf(mallory) < probation) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("the gateways did not see the liar past probation");
      requests(SAMPLED, 200, 4);
    }
    long later = untilQuarantined(mallory, 1.0, 30_000);
    System.out.printf("liar turning bad after %d honest runs per gateway: quarantined after %d of its stage runs%n",
        minRunsOf(mallory), later);

    // 3. Steady state: honest rigs past probation, the liar out.
    long[] before = totals();
    requests(SAMPLED, steady, 4);
    long[] after = totals();
    double extra = 100.0 * (after[1] - before[1]) / Math.max(1, after[0] - before[0]);
    System.out.printf("steady state: %d stage runs, %d check runs: extra compute %.2f %%%n",
        after[0] - before[0], after[1] - before[1], extra);

    // 4. Verified before answering: every stage is re-run on another owner's replica.
    long checksBefore = totals()[1];
    requests(VERIFIED, verified, 4);
    long checks = totals()[1] - checksBefore;
    long honestQuarantined = QuarantineRegistry.get(rigs.get(0).system()).current().keySet().stream()
        .filter(a -> !a.equals(mallory)).count();
    System.out.printf("verified before answering: %d requests, %d stages verified by another owner, honest rigs quarantined %d%n",
        verified, checks, honestQuarantined);

    long worst = firstRun.stream().mapToLong(Long::longValue).max().orElse(-1);
    System.out.printf("trust: liar quarantined after %d of its stage runs, extra compute %.2f %%, honest rigs quarantined %d, "
        + "wrong answers served %d of %d%n", worst, extra, honestQuarantined, wrong.get(), answered.get());
  }

  /** Lets the liar corrupt {@code share} of its outputs and sends until it is quarantined; its stage runs meanwhile. */
  private long untilQuarantined(String mallory, double share, int maxRequests) throws Exception {
    QuarantineRegistry registry = QuarantineRegistry.get(rigs.get(0).system());
    long start = liar.runs();
    liar.lie(share);
    for (int i = 0; i < maxRequests && !registry.isQuarantined(mallory); i++) {
      send(SAMPLED, (int) (next.getAndIncrement() % rigs.size()));
    }
    liar.lie(0);
    if (!registry.isQuarantined(mallory)) throw new IllegalStateException("the liar was not quarantined within " + maxRequests + " requests");
    return liar.runs() - start;
  }

  private void release(String mallory) throws Exception {
    // A quarantine another gateway wrote at the same time may cross the release: release until none is left.
    await(Duration.ofSeconds(60), "released everywhere", () -> {
      if (rigs.stream().noneMatch(r -> QuarantineRegistry.get(r.system()).isQuarantined(mallory))) return true;
      QuarantineRegistry.get(rigs.get(1).system()).release(mallory);
      sleep(1_000);
      return false;
    });
    await(Duration.ofSeconds(60), "the liar hosts its replicas again", () -> readyReplicas(SAMPLED) == 4 && readyReplicas(VERIFIED) == 4
        && hosts(SAMPLED, mallory));
  }

  /** {@code count} requests to {@code model}, spread over every rig, from {@code threads} clients. */
  private void requests(String model, int count, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      AtomicLong left = new AtomicLong(count);
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          while (left.decrementAndGet() >= 0) send(model, (int) (next.getAndIncrement() % rigs.size()));
          return null;
        }));
      }
      for (Future<?> f : done) f.get();
    } finally {
      pool.shutdownNow();
    }
  }

  /** One request through rig {@code gateway}; its answer is compared with ONNX Runtime's own. */
  private void send(String model, int gateway) throws IOException, InterruptedException {
    int which = (int) (next.get() % inputs.size());
    String body = "{\"inputs\":[{\"name\":\"" + DemoModels.MLP_INPUT + "\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":"
        + Arrays.toString(inputs.get(which)) + "}]}";
    HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rigs.get(gateway).httpPort()
        + "/v2/models/" + model + "/infer")).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (reply.statusCode() != 200) return; // not answered: neither right nor wrong
    answered.incrementAndGet();
    JsonNode data = JSON.readTree(reply.body()).get("outputs").get(0).get("data");
    float[] want = expected.get(which);
    for (int i = 0; i < want.length; i++) {
      if (Math.abs(data.get(i).asDouble() - want[i]) > 1e-3) {
        wrong.incrementAndGet();
        return;
      }
    }
  }

  private void inputs() {
    SplittableRandom random = new SplittableRandom(5);
    try (OnnxModel model = new OnnxRuntime(RuntimeSettings.from(ConfigFactory.load())).load(DemoModels.mlp())) {
      for (int i = 0; i < 64; i++) {
        float[] x = new float[DemoModels.MLP_FEATURES];
        for (int j = 0; j < x.length; j++) x[j] = (float) (random.nextDouble() * 4 - 2);
        ByteBuffer b = ByteBuffer.allocate(4 * x.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : x) b.putFloat(v);
        Tensor out = model.run(new Tensor[] {new Tensor(DemoModels.MLP_INPUT, DataType.FP32, new long[] {1, x.length}, b.array())},
            new String[0])[0];
        ByteBuffer o = ByteBuffer.wrap(out.data()).order(ByteOrder.LITTLE_ENDIAN);
        float[] y = new float[DemoModels.MLP_CLASSES];
        for (int j = 0; j < y.length; j++) y[j] = o.getFloat();
        inputs.add(x);
        expected.add(y);
      }
    }
  }

  private void startRigs() throws Exception {
    String seeds = "";
    for (int i = 0; i < OWNERS.length; i++) {
      String owner = OWNERS[i];
      Path repo = Files.createTempDirectory("rigserve-trust-" + owner);
      if (i == 0) firstRepository = repo;
      Config config = ConfigFactory.parseString(TIMINGS
              + "rigserve.node { region = eu, zone = " + owner + ", owner = " + owner + ", capacity.model-memory = 1 GiB, "
              + "seed-nodes = \"" + seeds + "\", data-plane-port = " + freePort() + " }\n"
              + "rigserve.repository.path = \"" + repo + "\"\n")
          .withFallback(ConfigFactory.load());
      int index = i;
      Rig rig = Rig.start(config, 1, Optional.empty(), real -> switch (index) {
        case 1 -> LyingRuntimes.otherHardware(real);
        case 3 -> liar = LyingRuntimes.liar(real);
        default -> real;
      }).toCompletableFuture().get(120, TimeUnit.SECONDS);
      rigs.add(rig);
      if (i == 0) seeds = "127.0.0.1:" + rig.system().address().getPort().get();
    }
    await(Duration.ofSeconds(120), "four rigs ready", () -> rigs.stream().allMatch(r -> status(r, "/v2/health/ready") == 200));
    System.out.println("four rigs of owners " + String.join(", ", OWNERS) + " are up");
  }

  private void load(String model) throws Exception {
    Path dir = firstRepository.resolve(model).resolve("1");
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.onnx"), DemoModels.mlp());
    HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rigs.get(0).httpPort()
            + "/v2/repository/models/" + model + "/load")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"parameters\": {\"partitions\": 1, \"replicas_per_region\": 4}}")).build(),
        HttpResponse.BodyHandlers.ofString());
    if (reply.statusCode() != 200) throw new IllegalStateException("load of " + model + ": " + reply.body());
    await(Duration.ofSeconds(120), model + " on every rig", () -> readyReplicas(model) == 4);
  }

  private int readyReplicas(String model) {
    return (int) replicas(model).stream().filter(r -> r.get("state").asText().equals("ready")).count();
  }

  private boolean hosts(String model, String address) {
    return replicas(model).stream().anyMatch(r -> r.get("state").asText().equals("ready") && r.get("rig").asText().equals(address));
  }

  private List<JsonNode> replicas(String model) {
    List<JsonNode> out = new ArrayList<>();
    JsonNode root = management(0, "/admin/models");
    if (root == null) return out;
    for (JsonNode m : root.get("models")) {
      if (m.get("name").asText().equals(model)) m.get("replicas").forEach(out::add);
    }
    return out;
  }

  /** The fewest runs of {@code rig} any gateway has counted (each gateway has its own probation). */
  private long minRunsOf(String rig) {
    long min = Long.MAX_VALUE;
    for (int g = 0; g < rigs.size(); g++) {
      if (address(g).equals(rig)) continue;
      long runs = 0;
      JsonNode trust = management(g, "/admin/routing");
      if (trust != null) {
        for (JsonNode r : trust.get("trust").get("rigs")) if (r.get("rig").asText().equals(rig)) runs = r.get("runs").asLong();
      }
      min = Math.min(min, runs);
    }
    return min;
  }

  /** Stage runs answered and check runs, over every gateway. */
  private long[] totals() {
    long[] sum = new long[2];
    for (int g = 0; g < rigs.size(); g++) {
      JsonNode trust = management(g, "/admin/routing").get("trust");
      sum[0] += trust.get("stageRuns").asLong();
      sum[1] += trust.get("checkRuns").asLong();
    }
    return sum;
  }

  private JsonNode management(int rig, String path) {
    try {
      HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rigs.get(rig).managementPort()
          + path)).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return reply.statusCode() == 200 ? JSON.readTree(reply.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private int status(Rig rig, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rig.httpPort() + path)).GET().build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private String address(int rig) {
    return rigs.get(rig).system().address().toString();
  }

  private void stop() {
    for (Rig r : rigs) {
      try {
        r.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // stopping anyway
      }
    }
  }

  private static void await(Duration max, String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) return;
      Thread.sleep(200);
    }
    throw new IllegalStateException("not within " + max + ": " + what);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Short cluster timings, ports chosen free, verification before answering for one of the two models. */
  private static final String TIMINGS = """
      rigserve.node.port = 0
      rigserve.management.port = 0
      rigserve.serving.http-port = 0
      rigserve.serving.grpc-port = 0
      rigserve.repository.demo-model = off
      rigserve.trust.model-rates = "checked=1.0"
      rigserve.placement.interval = 300ms
      rigserve.placement.rebalance-interval = 500ms
      rigserve.replica.load-retry-min = 200ms
      rigserve.replica.load-retry-max = 2s
      rigserve.cluster.rtt.probe-interval = 300ms
      pekko.cluster.distributed-data.gossip-interval = 200ms
      pekko.cluster.distributed-data.notify-subscribers-interval = 100ms
      pekko.cluster.sharding.retry-interval = 300ms
      """;
}
