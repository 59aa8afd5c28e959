package io.rigserve.serving.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.rigserve.serving.routing.PipelineRouter;
import io.rigserve.serving.routing.RoutingJournal;
import io.rigserve.serving.routing.StageChain;
import io.rigserve.serving.routing.StageTarget;
import io.rigserve.serving.trace.RequestTrace;
import io.rigserve.serving.trace.RequestTracer;
import io.rigserve.sharding.replica.StageInput;
import io.rigserve.sharding.replica.StageResult;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A request whose stage fails over: the router's callback, on a thread of its own, logs the
 * failover with the request's ids, as one JSON line when the log is JSON, and the journal keeps
 * them with the failover.
 */
class JsonLogTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aFailoverLoggedOnTheRoutersCallbackThreadIsAJsonLineWithTheRequestsIds() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(context);
    text.setPattern("%msg%n");
    text.start();
    appender.setEncoder(text);
    appender.setOutputStream(bytes);
    appender.start();
    LogFormat.applyTo(appender);
    Logger journalLog = context.getLogger(RoutingJournal.class);
    journalLog.addAppender(appender);
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    try (OpenTelemetrySdk telemetry = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build()) {
      RequestTracer tracer = new RequestTracer(telemetry);
      RoutingJournal journal = new RoutingJournal();
      // The broken replica answers from another thread, as an ask to another rig would.
      StageTarget broken = target("broken", input -> CompletableFuture.supplyAsync(
          () -> new StageResult.Failed(StageResult.Reason.RUNTIME_ERROR, "engine crashed"),
          CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS)));
      StageTarget good = target("good", input -> CompletableFuture.completedFuture(
          new StageResult.Output(new Tensor[] {new Tensor("y", DataType.UINT8, new long[] {1}, new byte[] {7})})));
      PipelineRouter router = new PipelineRouter((m, v, p) -> List.of(broken, good), Duration.ofSeconds(5), journal,
          tracer.tracer());
      StageChain chain = new StageChain(List.of(new StageChain.Stage(List.of("x"), List.of("y"))), List.of("y"), Duration.ZERO);
      RequestTrace trace = tracer.start("POST /v2/models/{model}/infer", "m", Map.of("x-request-id", "req-json-1")::get);
      List<Tensor> out = trace.call(() -> router.run("m", "1", chain,
              List.of(new Tensor("x", DataType.UINT8, new long[] {1}, new byte[] {1})), List.of(), Instant.now().plusSeconds(5)))
          .toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertEquals(7, out.get(0).data()[0]);

      RoutingJournal.Failover failover = journal.recentFailovers().get(0);
      assertEquals("req-json-1", failover.requestId());
      assertEquals(32, failover.traceId().length());

      List<JsonNode> lines = new ArrayList<>();
      for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) lines.add(JSON.readTree(line));
      }
      assertEquals(1, lines.size(), bytes.toString(StandardCharsets.UTF_8));
      JsonNode line = lines.get(0);
      assertEquals("INFO", line.get("level").asText());
      assertTrue(line.get("formattedMessage").asText().contains("broken failed (RUNTIME_ERROR: engine crashed), replayed on good"), line.toString());
      assertNotEquals(Thread.currentThread().getName(), line.get("threadName").asText(), "logged on the callback's thread");
      assertEquals("req-json-1", line.get("mdc").get("request_id").asText());
      assertEquals(failover.traceId(), line.get("mdc").get("trace_id").asText());

      // The request's span ends with the front end's answer; the failover is one of its events.
      trace.end(io.opentelemetry.api.common.AttributeKey.longKey("http.response.status_code"), 200, false);
      SpanData request = spans.getFinishedSpanItems().stream().filter(s -> s.getName().startsWith("POST")).findFirst().orElseThrow();
      EventData event = request.getEvents().get(0);
      assertEquals("failover", event.getName());
      assertEquals("good", event.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("rigserve.failover.to")));
      List<SpanData> attempts = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("stage attempt")).toList();
      assertEquals(List.of("RUNTIME_ERROR: engine crashed", "output"), attempts.stream()
          .map(s -> s.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("rigserve.outcome"))).toList());
    } finally {
      journalLog.detachAppender(appender);
      appender.stop();
    }
  }

  @Test
  void theFormatIsTextUnlessJsonIsAsked() {
    assertEquals(LogFormat.TEXT, LogFormat.from(ConfigFactory.load()));
    assertEquals(LogFormat.JSON, LogFormat.from(ConfigFactory.parseString("rigserve.log.format = json")
        .withFallback(ConfigFactory.load())));
  }

  private interface Answer {
    CompletionStage<StageResult> run(StageInput input);
  }

  private static StageTarget target(String name, Answer answer) {
    return new StageTarget() {
      @Override
      public String describe() {
        return name;
      }

      @Override
      public String region() {
        return "us-east";
      }

      @Override
      public CompletionStage<StageResult> run(StageInput input, Instant attemptDeadline) {
        return answer.run(input);
      }
    };
  }
}
