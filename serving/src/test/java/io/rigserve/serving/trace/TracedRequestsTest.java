package io.rigserve.serving.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.rigserve.proto.inference.GRPCInferenceServiceClient;
import io.rigserve.proto.inference.ModelInferRequest;
import io.rigserve.proto.inference.ModelInferResponse;
import io.rigserve.serving.Rig;
import io.rigserve.serving.TestCluster;
import io.rigserve.serving.demo.DemoModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two whole rigs in two regions, one JVM, their spans in one in-memory exporter: the model is
 * placed only in the second region, so every request to the first rig runs its stage on the
 * other rig, and its trace must follow it there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracedRequestsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_SPAN = "00f067aa0ba902b7";
  private static final String INFER = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]%s}";

  /**
   * Patient timings on a busy machine: a late heartbeat must not take the other region out of
   * routing, and a slow load must not have its connection closed as idle.
   */
  private static final Config PATIENT = ConfigFactory.parseString("""
      rigserve.serving.idle-timeout = 150s
      rigserve.cluster.failure-detector.acceptable-heartbeat-pause = 5s
      rigserve.cluster.cross-region-failure-detector.acceptable-heartbeat-pause = 10s
      rigserve.cluster.region-down-grace = 60s
      """);

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final OpenTelemetrySdk telemetry = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
      .build();
  private final TestCluster cluster = new TestCluster();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Rig gateway;
  private Rig host;

  @BeforeAll
  void startTwoRigsWithTheModelInTheSecondRegionOnly() throws Exception {
    gateway = start(PATIENT.withFallback(cluster.configFor("gw", "us-east", 39.0, -77.5, "1 GiB")));
    host = start(ConfigFactory.parseString("rigserve.node.seed-nodes = \"127.0.0.1:" + gateway.system().address().getPort().get() + "\"")
        .withFallback(PATIENT).withFallback(cluster.configFor("host", "eu-west", 53.3, -6.3, "1 GiB")));
    awaitReady(gateway);
    awaitReady(host);
    Path dir = cluster.repository("gw").resolve(DemoModels.MLP_NAME).resolve("1");
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.onnx"), DemoModels.mlp());
    HttpResponse<String> load = post(gateway, "/v2/repository/models/demo/load",
        "{\"parameters\": {\"replicas_per_region\": 1, \"regions\": \"eu-west\"}}", List.of());
    assertEquals(200, load.statusCode(), load.body());
  }

  @AfterAll
  void stop() throws Exception {
    for (Rig rig : new Rig[] {gateway, host}) {
      if (rig != null) rig.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    telemetry.close();
  }

  @Test
  void aRestRequestContinuesTheClientsTraceThroughItsStageAttemptToTheReplicaRunOnTheOtherRig() throws Exception {
    HttpResponse<String> answer = post(gateway, "/v2/models/demo/infer", INFER.formatted(""),
        List.of("traceparent", "00-" + TRACE + "-" + CLIENT_SPAN + "-01", "tracestate", "vendor=opaque-1",
            "X-Request-ID", "req-42"));
    assertEquals(200, answer.statusCode(), answer.body());
    assertEquals(Optional.of("req-42"), answer.headers().firstValue("X-Request-ID"));

    SpanData request = awaitSpan(TRACE, "POST /v2/models/{model}/infer");
    assertEquals(CLIENT_SPAN, request.getParentSpanId(), "the server span is a child of the client's span");
    assertTrue(request.getParentSpanContext().isRemote());
    assertEquals("opaque-1", request.getSpanContext().getTraceState().get("vendor"), "the client's tracestate is kept");
    assertEquals(SpanKind.SERVER, request.getKind());
    assertEquals("req-42", request.getAttributes().get(AttributeKey.stringKey("rigserve.request_id")));
    assertEquals(200L, request.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
    assertRemoteStage(TRACE, request);
  }

  @Test
  void aGrpcRequestContinuesTheTraceOfItsMetadataAndGetsARequestIdAsItsId() throws Exception {
    String trace = "0af7651916cd43dd8448eb211c80319c";
    GRPCInferenceServiceClient client = GRPCInferenceServiceClient.create(
        GrpcClientSettings.connectToServiceAt("127.0.0.1", gateway.grpcPort(), gateway.system()).withTls(false),
        gateway.system());
    try {
      ModelInferResponse response = client.modelInfer()
          .addHeader("traceparent", "00-" + trace + "-b7ad6b7169203331-01")
          .invoke(ModelInferRequest.newBuilder().setModelName("demo")
              .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("input").setDatatype("FP32")
                  .addShape(1).addShape(4)
                  .setContents(io.rigserve.proto.inference.InferTensorContents.newBuilder()
                      .addFp32Contents(1).addFp32Contents(2).addFp32Contents(3).addFp32Contents(4)))
              .build())
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertTrue(response.getId().matches("[0-9a-f]{32}"), "a generated request id: " + response.getId());
      SpanData request = awaitSpan(trace, "inference.GRPCInferenceService/ModelInfer");
      assertEquals("b7ad6b7169203331", request.getParentSpanId());
      assertEquals(response.getId(), request.getAttributes().get(AttributeKey.stringKey("rigserve.request_id")));
      assertEquals(0L, request.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code")));
      assertRemoteStage(trace, request);
    } finally {
      client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void withoutATraceparentANewTraceStartsAndTheProtocolIdIsTheRequestId() throws Exception {
    HttpResponse<String> answer = post(gateway, "/v2/models/demo/infer", INFER.formatted(",\"id\":\"oip-7\""),
        List.of("X-Request-ID", "header-id", "traceparent", "00-not-a-valid-header-01"));
    assertEquals(200, answer.statusCode(), answer.body());
    assertEquals("oip-7", JSON.readTree(answer.body()).get("id").asText(), "the client's id is echoed");
    assertEquals(Optional.of("oip-7"), answer.headers().firstValue("X-Request-ID"));
    SpanData request = awaitSpan(s -> "oip-7".equals(s.getAttributes().get(AttributeKey.stringKey("rigserve.request_id"))));
    assertFalse(request.getParentSpanContext().isValid(), "a malformed traceparent starts a new trace");
    assertNotEquals(TRACE, request.getTraceId());
    assertRemoteStage(request.getTraceId(), request);
  }

  /** The attempt is a child of the request's span, and the run on the other rig a child of the attempt. */
  private void assertRemoteStage(String trace, SpanData request) throws InterruptedException {
    SpanData attempt = awaitSpan(trace, "stage attempt");
    assertEquals(request.getSpanId(), attempt.getParentSpanId());
    assertEquals(SpanKind.CLIENT, attempt.getKind());
    assertEquals("eu-west", attempt.getAttributes().get(AttributeKey.stringKey("rigserve.region")));
    assertEquals("output", attempt.getAttributes().get(AttributeKey.stringKey("rigserve.outcome")));
    assertEquals(0L, attempt.getAttributes().get(AttributeKey.longKey("rigserve.partition")));
    SpanData run = awaitSpan(trace, "replica run");
    assertEquals(attempt.getSpanId(), run.getParentSpanId(), "the run continues the attempt carried in the stage message");
    assertTrue(run.getParentSpanContext().isRemote());
    assertEquals(host.system().address().toString(), run.getAttributes().get(AttributeKey.stringKey("rigserve.rig")));
    assertEquals("output", run.getAttributes().get(AttributeKey.stringKey("rigserve.outcome")));
    assertTrue(run.getAttributes().get(AttributeKey.stringKey("rigserve.replica")).startsWith("demo@1/p0/"));
  }

  private SpanData awaitSpan(String trace, String name) throws InterruptedException {
    return awaitSpan(s -> s.getTraceId().equals(trace) && s.getName().equals(name));
  }

  private SpanData awaitSpan(java.util.function.Predicate<SpanData> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      List<SpanData> found = spans.getFinishedSpanItems().stream().filter(wanted).toList();
      if (found.size() > 1) throw new AssertionError("more than one span matches: " + found);
      if (found.size() == 1) return found.get(0);
      Thread.sleep(50);
    }
    throw new AssertionError("no such span among " + spans.getFinishedSpanItems());
  }

  private Rig start(Config config) throws Exception {
    return Rig.start(config, 1, Optional.empty(), Optional.of(telemetry)).toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private void awaitReady(Rig rig) throws Exception {
    TestCluster.await(Duration.ofSeconds(60), "rig " + rig.system().address() + " ready", () -> {
      try {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rig.httpPort() + "/v2/health/ready")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    });
  }

  private HttpResponse<String> post(Rig rig, String path, String body, List<String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rig.httpPort() + path))
        .timeout(Duration.ofSeconds(150))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.size(); i += 2) request.header(headers.get(i), headers.get(i + 1));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
