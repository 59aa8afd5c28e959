package io.rigserve.serving.routing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.error.NoHealthyReplica;
import io.rigserve.serving.error.Overloaded;
import io.rigserve.serving.partition.OnnxPartitioner;
import io.rigserve.serving.partition.PartitionPlan;
import io.rigserve.serving.partition.StagePlan;
import io.rigserve.serving.runtime.OnnxModel;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.serving.runtime.RuntimeSettings;
import io.rigserve.serving.testmodels.TestModels;
import io.rigserve.serving.testmodels.TestTensors;
import io.rigserve.sharding.replica.PartitionRuntime;
import io.rigserve.sharding.replica.StageInput;
import io.rigserve.sharding.replica.StageResult;
import io.rigserve.sharding.tensor.Tensor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The chain runner over real ONNX Runtime stages, with replicas that fail in each way there is. */
class PipelineRouterTest {

  private final OnnxRuntime runtime = new OnnxRuntime(RuntimeSettings.from(ConfigFactory.load()));
  private final byte[] model = TestModels.twoHeadMlp();
  private final PartitionPlan plan = new OnnxPartitioner(runtime).partition(model, 2);
  private final StageChain chain = chain(plan);
  private final List<Tensor> inputs = List.of(
      TestTensors.fp32("features", new long[] {2, 4}, 0.5f, -1f, 2f, 0.25f, -3f, 1.5f, 0f, 4f),
      TestTensors.fp32("offset", new long[] {2, 3}, 0.1f, 0.2f, -0.3f, 1f, -1f, 0f));
  private final RoutingJournal journal = new RoutingJournal();

  @Test
  void twoStagesRunInOrderGiveTheWholeModelsOutputs() throws Exception {
    PipelineRouter router = new PipelineRouter(targets(Map.of()), Duration.ofSeconds(5), journal);
    List<Tensor> out = run(router, List.of());
    Tensor[] whole = whole();
    assertEquals(2, out.size());
    for (Tensor expected : whole) {
      Tensor got = out.stream().filter(t -> t.name().equals(expected.name())).findFirst().orElseThrow();
      assertArrayEquals(expected.data(), got.data(), expected.name());
    }
  }

  @Test
  void aFailingOrSilentReplicaIsReplacedByTheNextWithTheSameInput() throws Exception {
    AtomicInteger silentCalls = new AtomicInteger();
    StageTarget silent = target("silent", (input, deadline) -> {
      silentCalls.incrementAndGet();
      return new CompletableFuture<>();
    });
    StageTarget broken = target("broken", (input, deadline) ->
        CompletableFuture.completedFuture(new StageResult.Failed(StageResult.Reason.RUNTIME_ERROR, "engine crashed")));
    PipelineRouter router = new PipelineRouter(targets(Map.of(0, List.of(silent), 1, List.of(broken))), Duration.ofMillis(300), journal);
    List<Tensor> out = run(router, List.of("label"));
    assertEquals(1, silentCalls.get());
    assertEquals(1, out.size());
    assertArrayEquals(TestTensors.int64Values(byName(whole(), "label")), TestTensors.int64Values(out.get(0)));

    assertEquals(2, journal.failovers());
    List<RoutingJournal.Failover> recent = journal.recentFailovers();
    assertFailover(recent.get(0), 1, "broken", "RUNTIME_ERROR: engine crashed", "real-1");
    assertFailover(recent.get(1), 0, "silent", "TIMEOUT", "real-0");
    assertFalse(recent.get(0).time().isBefore(recent.get(1).time()), "newest first: " + recent);
  }

  @Test
  void failoversAndEveryAttemptAreCountedPerPartitionAndRegion() throws Exception {
    StageTarget broken = target("broken", "eu-west", (input, deadline) ->
        CompletableFuture.completedFuture(new StageResult.Failed(StageResult.Reason.RUNTIME_ERROR, "engine crashed")));
    PipelineRouter router = new PipelineRouter(targets(Map.of(1, List.of(broken))), Duration.ofSeconds(5), journal);
    int requests = 3;
    for (int i = 0; i < requests; i++) run(router, List.of());

    assertEquals(requests, journal.failovers());
    assertEquals(0, journal.failoversNotReplayed());
    for (RoutingJournal.Failover f : journal.recentFailovers()) {
      assertFailover(f, 1, "broken", "RUNTIME_ERROR: engine crashed", "real-1");
    }
    List<RoutingJournal.PartitionRouting> partitions = journal.partitions();
    assertEquals(2, partitions.size(), partitions.toString());
    RoutingJournal.PartitionRouting first = partitions.get(0);
    assertEquals(List.of("mlp", "1", 0), List.of(first.model(), first.version(), first.partition()));
    assertEquals(Map.of("us-east", (long) requests), first.byRegion());
    assertEquals("real-0", first.last());
    RoutingJournal.PartitionRouting second = partitions.get(1);
    assertEquals(1, second.partition());
    // Every request tried eu-west first, then was replayed in us-east: attempts = requests + failovers.
    assertEquals(Map.of("eu-west", (long) requests, "us-east", (long) requests), second.byRegion());
    assertEquals(requests + journal.failovers(), second.byRegion().values().stream().mapToLong(Long::longValue).sum());
    assertEquals("real-1", second.last());
  }

  @Test
  void aReplicaThatThrowsIsReplacedAndTheExceptionIsTheReason() throws Exception {
    StageTarget throwing = target("throwing", (input, deadline) -> {
      throw new IllegalStateException("no connection");
    });
    PipelineRouter router = new PipelineRouter(targets(Map.of(0, List.of(throwing))), Duration.ofSeconds(5), journal);
    assertEquals(2, run(router, List.of()).size());
    assertEquals(1, journal.failovers());
    assertFailover(journal.recentFailovers().get(0), 0, "throwing", "IllegalStateException: no connection", "real-0");
  }

  @Test
  void aSilentReplicaWhoseTimeoutIsNotLearnedYetLeavesTimeToReplayTheStage() throws Exception {
    StageTarget silent = target("silent", (input, deadline) -> new CompletableFuture<>());
    // The attempt-timeout ceiling is longer than the whole deadline: only the halving leaves time for the next replica.
    PipelineRouter router = new PipelineRouter(
        (m, v, p) -> p == 0 ? List.of(silent, real(0).get(0)) : real(p), Duration.ofSeconds(30), journal);
    List<Tensor> out = router.run("mlp", "1", chain, inputs, List.of("label"), Instant.now().plusSeconds(4))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertArrayEquals(TestTensors.int64Values(byName(whole(), "label")), TestTensors.int64Values(out.get(0)));
  }

  @Test
  void withHedgingASilentReplicaCostsOnlyTheHedgeDelay() throws Exception {
    StageTarget silent = target("silent", (input, deadline) -> new CompletableFuture<>());
    StageChain hedged = new StageChain(chain.stages(), chain.outputs(), Duration.ofMillis(50));
    PipelineRouter router = new PipelineRouter(targets(Map.of(0, List.of(silent), 1, List.of(silent))), Duration.ofSeconds(10), journal);
    long started = System.nanoTime();
    List<Tensor> out = router.run("mlp", "1", hedged, inputs, List.of("label"), Instant.now().plusSeconds(20))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertArrayEquals(TestTensors.int64Values(byName(whole(), "label")), TestTensors.int64Values(out.get(0)));
    assertTrue(millis < 5_000, "the silent replicas held the request " + millis + " ms");
    // A hedged pair is one target: one attempt per partition, no failover although a copy was silent.
    assertEquals(0, journal.failovers());
    for (RoutingJournal.PartitionRouting p : journal.partitions()) {
      assertEquals(Map.of("us-east", 1L), p.byRegion(), p.toString());
      assertTrue(p.last().startsWith("silent (hedged after 50 ms with real-"), p.last());
    }
  }

  @Test
  void aStageWhoseEveryReplicaFailedIsPlannedAgainWhileTimeIsLeft() throws Exception {
    StageTarget gone = target("gone", (input, deadline) ->
        CompletableFuture.completedFuture(new StageResult.Failed(StageResult.Reason.NOT_LOADED, "rig lost")));
    AtomicInteger plans = new AtomicInteger();
    // The first plan still lists only the lost replica; the next one (routing has learnt) the live one.
    PipelineRouter router = new PipelineRouter((m, v, p) -> p == 1 && plans.getAndIncrement() == 0 ? List.of(gone) : real(p),
        Duration.ofSeconds(5), journal);
    List<Tensor> out = run(router, List.of("label"));
    assertArrayEquals(TestTensors.int64Values(byName(whole(), "label")), TestTensors.int64Values(out.get(0)));
    assertEquals(2, plans.get());
    assertEquals(0, journal.failoversNotReplayed());
  }

  @Test
  void whenNoReplicaAnswersTheErrorNamesThePartitionAndEveryAttempt() {
    StageTarget gone = target("rig-a", (input, deadline) ->
        CompletableFuture.completedFuture(new StageResult.Failed(StageResult.Reason.NOT_LOADED, "not here")));
    PipelineRouter router = new PipelineRouter((m, v, p) -> p == 1 ? List.of(gone) : real(p), Duration.ofSeconds(1), journal);
    ExecutionException e = assertThrows(ExecutionException.class, () -> run(router, List.of()));
    NoHealthyReplica failure = assertInstanceOf(NoHealthyReplica.class, e.getCause());
    assertTrue(failure.getMessage().contains("partition 1 of mlp@1"), failure.getMessage());
    assertTrue(failure.getMessage().contains("rig-a: NOT_LOADED"), failure.getMessage());
    assertEquals(1, journal.failoversNotReplayed());
    assertFailover(journal.recentFailovers().get(0), 1, "rig-a", "NOT_LOADED: not here", null);
  }

  @Test
  void allReplicasFullIsOverloadedAndABadInputIsNotRetried() {
    AtomicInteger calls = new AtomicInteger();
    StageTarget full = target("full", (input, deadline) -> {
      calls.incrementAndGet();
      return CompletableFuture.completedFuture(new StageResult.Failed(StageResult.Reason.OVERLOADED, "queue full"));
    });
    PipelineRouter busy = new PipelineRouter((m, v, p) -> List.of(full, full), Duration.ofSeconds(1), journal);
    assertInstanceOf(Overloaded.class, assertThrows(ExecutionException.class, () -> run(busy, List.of())).getCause());
    assertEquals(2, calls.get());
    assertEquals(2, journal.failovers());
    assertFailover(journal.recentFailovers().get(0), 0, "full", "OVERLOADED: queue full", null);
    assertFailover(journal.recentFailovers().get(1), 0, "full", "OVERLOADED: queue full", "full");

    StageTarget picky = target("picky", (input, deadline) -> {
      calls.incrementAndGet();
      return CompletableFuture.completedFuture(new StageResult.Failed(StageResult.Reason.INVALID_INPUT, "bad shape"));
    });
    PipelineRouter strict = new PipelineRouter((m, v, p) -> List.of(picky, picky), Duration.ofSeconds(1), journal);
    calls.set(0);
    assertInstanceOf(InvalidInput.class, assertThrows(ExecutionException.class, () -> run(strict, List.of())).getCause());
    assertEquals(1, calls.get());
    assertEquals(2, journal.failovers(), "a bad input is the client's fault, not a failover");
  }

  private static void assertFailover(RoutingJournal.Failover f, int partition, String from, String reason, String to) {
    assertEquals(List.of("mlp", "1", partition, from, reason), List.of(f.model(), f.version(), f.partition(), f.from(), f.reason()),
        f.toString());
    assertEquals(Optional.ofNullable(to), f.to(), f.toString());
    assertTrue(Duration.between(f.time(), Instant.now()).toSeconds() < 60, f.toString());
  }

  private List<Tensor> run(PipelineRouter router, List<String> outputs) throws Exception {
    return router.run("mlp", "1", chain, inputs, outputs, Instant.now().plusSeconds(10))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** Each partition's listed targets first, then a real replica of it. */
  private StageTargets targets(Map<Integer, List<StageTarget>> before) {
    return (m, v, p) -> {
      List<StageTarget> all = new ArrayList<>(before.getOrDefault(p, List.of()));
      all.addAll(real(p));
      return all;
    };
  }

  private List<StageTarget> real(int partition) {
    OnnxModel stage = runtime.load(plan.stages().get(partition).onnx());
    return List.of(target("real-" + partition, (input, deadline) -> CompletableFuture.supplyAsync(() -> {
      try {
        return new StageResult.Output(stage.run(input.tensors(), input.outputs()));
      } catch (PartitionRuntime.RuntimeFailure e) {
        return new StageResult.Failed(StageResult.Reason.RUNTIME_ERROR, e.getMessage());
      }
    })));
  }

  private Tensor[] whole() {
    try (OnnxModel m = runtime.load(model)) {
      return m.run(inputs.toArray(new Tensor[0]), new String[0]);
    }
  }

  private static Tensor byName(Tensor[] tensors, String name) {
    for (Tensor t : tensors) if (t.name().equals(name)) return t;
    throw new AssertionError(name);
  }

  interface Run {
    CompletionStage<StageResult> run(StageInput input, Instant deadline);
  }

  private static StageTarget target(String name, Run run) {
    return target(name, "us-east", run);
  }

  private static StageTarget target(String name, String region, Run run) {
    return new StageTarget() {
      @Override
      public String describe() {
        return name;
      }

      @Override
      public String region() {
        return region;
      }

      @Override
      public CompletionStage<StageResult> run(StageInput input, Instant attemptDeadline) {
        CompletableFuture<StageResult> answer = run.run(input, attemptDeadline).toCompletableFuture();
        return answer.orTimeout(Math.max(1, Duration.between(Instant.now(), attemptDeadline).toMillis()), TimeUnit.MILLISECONDS);
      }
    };
  }

  private static StageChain chain(PartitionPlan plan) {
    OnnxRuntime rt = new OnnxRuntime(RuntimeSettings.from(ConfigFactory.load()));
    try (OnnxModel whole = rt.load(TestModels.twoHeadMlp())) {
      List<StageChain.Stage> stages = new ArrayList<>();
      for (StagePlan s : plan.stages()) stages.add(new StageChain.Stage(s.inputs(), s.outputs()));
      return new StageChain(stages, whole.outputs().stream().map(o -> o.name()).toList(), Duration.ZERO);
    }
  }
}
