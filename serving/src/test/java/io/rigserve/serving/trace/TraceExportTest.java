package io.rigserve.serving.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import io.opentelemetry.api.trace.Span;
import io.rigserve.cluster.settings.InvalidSetting;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rig's trace export against a real OTLP/HTTP receiver on loopback: spans leave the rig only
 * when an endpoint is set.
 */
class TraceExportTest {

  private HttpServer receiver;
  private final List<byte[]> exports = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext("/v1/traces", exchange -> {
      exports.add(exchange.getRequestBody().readAllBytes());
      // An empty ExportTraceServiceResponse: every span accepted.
      exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  @Test
  void withAnEndpointTheRequestsSpansAreExportedOverOtlp() {
    String endpoint = "http://127.0.0.1:" + receiver.getAddress().getPort();
    try (TraceExport export = TraceExport.start(settings(endpoint), "eu-west", "pekko://rigserve@127.0.0.1:1")) {
      RequestTrace trace = new RequestTracer(export.telemetry()).start("POST /v2/models/{model}/infer", "demo",
          Map.of("x-request-id", "exported-1")::get);
      assertTrue(Span.fromContext(trace.context()).isRecording());
      trace.end(io.opentelemetry.api.common.AttributeKey.longKey("http.response.status_code"), 200, false);
    }
    // Closing flushes the batch.
    assertEquals(1, exports.size(), "one OTLP export request");
    String body = new String(exports.get(0), StandardCharsets.ISO_8859_1);
    assertTrue(body.contains("POST /v2/models/{model}/infer"), "the span's name is in the export");
    assertTrue(body.contains("exported-1"), "the request id is in the export");
    assertTrue(body.contains("eu-west"), "the rig's region labels its spans");
  }

  @Test
  void withoutAnEndpointNothingIsExportedAndSpansDoNotRecord() throws Exception {
    try (TraceExport export = TraceExport.start(settings(""), "eu-west", "pekko://rigserve@127.0.0.1:1")) {
      RequestTracer tracer = new RequestTracer(export.telemetry());
      RequestTrace trace = tracer.start("POST /v2/models/{model}/infer", "demo", name -> null);
      assertFalse(Span.fromContext(trace.context()).isRecording(), "no SDK span on the hot path");
      assertEquals("", RequestContext.traceId(trace.context()), "no trace without a client's");
      assertEquals(32, trace.requestId().length(), "a request id all the same");
      CompletableFuture<String> carried = trace.call(() -> CompletableFuture.completedFuture(Traceparent.ofCurrent()))
          .toCompletableFuture();
      assertEquals("", carried.get(), "no context is sent to other rigs");
      trace.end(io.opentelemetry.api.common.AttributeKey.longKey("http.response.status_code"), 200, false);
    }
    Thread.sleep(200);
    assertEquals(0, exports.size());
  }

  @Test
  void anEndpointThatIsNoUrlIsRefusedAtStart() {
    assertThrows(InvalidSetting.class, () -> settings("collector:4318"));
  }

  private static TracingSettings settings(String endpoint) {
    return TracingSettings.from(ConfigFactory.parseString("rigserve.tracing.otlp-endpoint = \"" + endpoint + "\"")
        .withFallback(ConfigFactory.load()));
  }
}
