package io.rigserve.sharding.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A replica's run is a span of the trace its {@code Run} names, on the rig that runs it; a run
 * whose traceparent is missing, malformed or oversized (another rig may send anything) is simply
 * not traced, and answered all the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunSpanTest {

  private final ActorTestKit kit = ActorTestKit.create("traced-replica", ConfigFactory.parseString("""
      pekko.actor.provider = local
      pekko.actor.serialize-messages = on
      """).withFallback(ConfigFactory.load()));
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final OpenTelemetrySdk telemetry = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
  private final ReplicaId id = new ReplicaId("echo", "1", 0, 0);
  private ActorRef<PartitionReplica.Command> replica;

  @BeforeEach
  void spawnReplica() {
    if (replica == null) {
      InMemoryRuntimes runtimes = new InMemoryRuntimes(r -> (inputs, outputs) -> inputs, Duration.ZERO);
      TestProbe<ReplicaHost.Command> host = kit.createTestProbe();
      replica = kit.spawn(PartitionReplica.create(id, runtimes, ReplicaSettings.from(kit.system().settings().config()),
          host.getRef(), telemetry.getTracer(PartitionReplica.TRACER)));
    }
    spans.reset();
  }

  @AfterAll
  void stop() {
    kit.shutdownTestKit();
    telemetry.close();
  }

  @Test
  void aRunWithATraceparentIsAChildSpanOfTheCallersAttempt() {
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    assertInstanceOf(StageResult.Output.class, run("00-" + trace + "-00f067aa0ba902b7-01"));
    SpanData span = awaitOneSpan();
    assertEquals(trace, span.getTraceId());
    assertEquals("00f067aa0ba902b7", span.getParentSpanId());
    assertTrue(span.getParentSpanContext().isRemote());
    assertEquals(SpanKind.SERVER, span.getKind());
    assertEquals(id.entityId(), span.getAttributes().get(RunSpan.REPLICA));
    assertEquals(kit.system().address().toString(), span.getAttributes().get(RunSpan.RIG));
    assertEquals("output", span.getAttributes().get(RunSpan.OUTCOME));
    assertTrue(span.getEvents().stream().map(EventData::getName).toList().contains("started"));
  }

  @Test
  void aRunWithoutAUsableTraceparentIsAnsweredAndNotTraced() throws InterruptedException {
    String longButValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" + "-x".repeat(RunSpan.MAX_TRACEPARENT);
    for (String hostile : new String[] {"", null, "garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        longButValid, "\u0000".repeat(64)}) {
      assertInstanceOf(StageResult.Output.class, run(hostile), String.valueOf(hostile));
    }
    Thread.sleep(100);
    assertEquals(List.of(), spans.getFinishedSpanItems());
  }

  private StageResult run(String traceparent) {
    TestProbe<StageResult> probe = kit.createTestProbe();
    StageInput input = new StageInput(new Tensor[] {new Tensor("x", DataType.INT8, new long[] {1}, new byte[] {3})}, new String[0]);
    replica.tell(new PartitionReplica.Run(input, System.currentTimeMillis() + 10_000, traceparent, probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  private SpanData awaitOneSpan() {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline && spans.getFinishedSpanItems().isEmpty()) Thread.onSpinWait();
    assertEquals(1, spans.getFinishedSpanItems().size(), spans.getFinishedSpanItems().toString());
    return spans.getFinishedSpanItems().get(0);
  }
}
