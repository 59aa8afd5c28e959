package io.rigserve.serving.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One real rig serving real ONNX models, scraped over HTTP on its metrics port after requests
 * made through its REST API; the Prometheus text is parsed strictly and its values checked
 * against what was sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsEndpointTest {

  private static final String CAST_INPUT =
      "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"INT32\",\"data\":[5,6]}]}";
  private static final int ANSWERED = 4;

  private TestRig rig;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  void start() throws Exception {
    Path repository = Files.createTempDirectory("rigserve-metrics");
    for (String model : List.of(ServedModels.CAST, ServedModels.MLP)) {
      Path dir = Files.createDirectories(repository.resolve(model).resolve("1"));
      Files.write(dir.resolve("model.onnx"), ServedModels.ALL.get(model));
    }
    rig = TestRig.start(repository, "");
  }

  @AfterAll
  void stop() throws Exception {
    rig.close();
  }

  @Test
  void aScrapeCountsEachRequestInTritonsFamiliesAndEachStageByPartitionAndRegion() throws Exception {
    for (int i = 0; i < ANSWERED; i++) {
      assertEquals(200, rig.post("/v2/models/cast/infer", CAST_INPUT).status());
    }
    assertEquals(400, rig.post("/v2/models/cast/infer", CAST_INPUT.replace("[1,2]", "[2,1]")).status());

    Exposition scrape = scrape();
    Map<String, String> cast = Map.of("model", "cast", "version", "1");
    assertEquals("counter", scrape.types.get("nv_inference_request_success"));
    assertEquals(ANSWERED, scrape.value("nv_inference_request_success_total", cast));
    assertEquals(1, scrape.value("nv_inference_request_failure_total",
        Map.of("model", "cast", "version", "1", "reason", "invalid_input")));
    assertEquals(1, scrape.samples("nv_inference_request_failure_total").stream()
        .filter(s -> s.labels.get("model").equals("cast")).count(), "one reason only");
    assertEquals(ANSWERED, scrape.value("nv_inference_count_total", cast));
    assertEquals(ANSWERED, scrape.value("nv_inference_exec_count_total", cast));
    double infer = scrape.value("nv_inference_compute_infer_duration_us_total", cast);
    double total = scrape.value("nv_inference_request_duration_us_total", cast);
    assertTrue(infer > 0 && total >= infer, "request " + total + " us covers compute infer " + infer + " us");
    assertTrue(scrape.value("nv_inference_queue_duration_us_total", cast) >= 0);
    assertEquals("gauge", scrape.types.get("nv_inference_pending_request_count"));
    assertEquals(0, scrape.value("nv_inference_pending_request_count", cast), "every request has answered");
    assertFalse(scrape.samples("nv_inference_request_success_total").stream()
        .anyMatch(s -> s.labels.get("model").equals("mlp")), "a model with no request has no series yet");

    assertEquals("histogram", scrape.types.get("rigserve_request_duration_seconds"));
    Map<String, String> answered = Map.of("model", "cast", "version", "1", "outcome", "success");
    assertEquals(ANSWERED, scrape.value("rigserve_request_duration_seconds_count", answered));
    assertEquals(1, scrape.value("rigserve_request_duration_seconds_count",
        Map.of("model", "cast", "version", "1", "outcome", "failure")));
    assertEquals(ANSWERED, scrape.value("rigserve_request_duration_seconds_bucket",
        Map.of("model", "cast", "version", "1", "outcome", "success", "le", "+Inf")));
    assertEquals(total / 1e6, scrape.value("rigserve_request_duration_seconds_sum", answered)
        + scrape.value("rigserve_request_duration_seconds_sum", Map.of("model", "cast", "version", "1", "outcome", "failure")),
        1e-3, "the histogram and Triton's duration count the same requests");

    String region = rig.rig.rigSettings().region();
    assertEquals(ANSWERED, scrape.value("rigserve_stage_attempts_total", Map.of("model", "cast", "version", "1",
        "partition", "0", "region", region, "outcome", "success")), "the bad request never reached a replica");
    assertEquals(0, scrape.value("rigserve_stage_attempts_total", Map.of("model", "cast", "version", "1",
        "partition", "0", "region", region, "outcome", "failure")));
    assertEquals(0, scrape.value("rigserve_failovers_total", Map.of("replayed", "true")));
    assertEquals(0, scrape.value("rigserve_failovers_total", Map.of("replayed", "false")));
    assertEquals(0, scrape.value("rigserve_open_breakers", Map.of("region", region)));
    assertEquals(1, scrape.value("rigserve_region_reachable", Map.of("region", region)));
    assertEquals(1, scrape.value("rigserve_members", Map.of("region", region, "status", "Up")));
    assertTrue(scrape.value("rigserve_replicas", Map.of("model", "cast", "version", "1", "region", region,
        "state", "ready")) >= 1, "the rig hosts a ready replica of cast");
    assertEquals("gauge", scrape.types.get("rigserve_replicas"));

    assertTrue(scrape.value("rigserve_artifact_fetches_total", Map.of("outcome", "local")) >= 1,
        "the rig's own partition files were on its disk");
    assertEquals(0, scrape.value("rigserve_artifact_fetches_total", Map.of("outcome", "unavailable")));
    assertEquals(0, scrape.value("rigserve_artifact_fetched_bytes_total", Map.of()), "one rig fetches from no peer");
    assertEquals("counter", scrape.types.get("rigserve_verifications"));
    assertEquals(0, scrape.value("rigserve_verifications_total", Map.of("outcome", "disagreed")));
    assertEquals(0, scrape.value("rigserve_quarantined_rigs", Map.of()));

    assertTrue(scrape.types.containsKey("jvm_memory_used_bytes"), "JVM metrics: " + scrape.types.keySet());
    assertTrue(scrape.samples("jvm_threads_current").get(0).value > 0);

    assertEquals(200, rig.post("/v2/models/cast/infer", CAST_INPUT).status());
    assertEquals(ANSWERED + 1, scrape().value("nv_inference_request_success_total", cast), "read anew at each scrape");
  }

  private Exposition scrape() throws Exception {
    int port = rig.rig.metricsPort().orElseThrow();
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
        response.headers().toString());
    return Exposition.parse(response.body());
  }

  /** One sample line: its labels and value. */
  private record Sample(Map<String, String> labels, double value) {}

  /**
   * The Prometheus text format (0.0.4), parsed strictly: every line is a HELP, a TYPE or a sample
   * of a family declared before it, label values unescaped; anything else fails the test.
   */
  private static final class Exposition {
    private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*");
    private static final Pattern TYPE =
        Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE =
        Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (-?[0-9.eE+-]+|NaN|[+-]Inf)( -?[0-9]+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");
    private static final List<String> SUFFIXES = List.of("", "_total", "_created", "_bucket", "_sum", "_count", "_info");

    final Map<String, String> types = new LinkedHashMap<>();
    final Map<String, List<Sample>> samples = new HashMap<>();

    static Exposition parse(String text) {
      Exposition e = new Exposition();
      for (String line : text.split("\n")) {
        if (line.isEmpty()) continue;
        Matcher m;
        if ((m = HELP.matcher(line)).matches()) continue;
        if ((m = TYPE.matcher(line)).matches()) {
          assertTrue(e.types.put(familyName(m.group(1)), m.group(2)) == null, "declared twice: " + line);
          continue;
        }
        m = SAMPLE.matcher(line);
        assertTrue(m.matches(), "not a sample line: " + line);
        String name = m.group(1);
        assertTrue(SUFFIXES.stream().anyMatch(s -> name.endsWith(s) && e.types.containsKey(
            familyName(name.substring(0, name.length() - s.length())))), "sample of no declared family: " + line);
        Map<String, String> labels = new HashMap<>();
        if (m.group(3) != null) {
          Matcher l = LABEL.matcher(m.group(3));
          int end = 0;
          while (l.find() && l.start() == end) {
            labels.put(l.group(1), l.group(2).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\"));
            end = l.end();
          }
          assertEquals(m.group(3).length(), end, "malformed labels: " + line);
        }
        e.samples.computeIfAbsent(name, k -> new ArrayList<>()).add(new Sample(labels, Double.parseDouble(
            m.group(4).replace("+Inf", "Infinity").replace("-Inf", "-Infinity"))));
      }
      return e;
    }

    /** A counter's family is declared with its _total name in text format 0.0.4. */
    private static String familyName(String name) {
      return name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
    }

    List<Sample> samples(String name) {
      return samples.getOrDefault(name, List.of());
    }

    /** The value of the one sample of {@code name} with exactly {@code labels}. */
    double value(String name, Map<String, String> labels) {
      List<Sample> found = samples(name).stream().filter(s -> s.labels.equals(labels)).toList();
      assertEquals(1, found.size(), "one sample " + name + labels + " among " + samples(name));
      return found.get(0).value;
    }
  }
}
