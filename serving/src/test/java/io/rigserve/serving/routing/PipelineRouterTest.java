package io.rigserve.serving.routing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.rigserve.serving.deploy.ModelDescriptor;
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
  private final ModelDescriptor descriptor = descriptor(plan);
  private final List<Tensor> inputs = List.of(
      TestTensors.fp32("features", new long[] {2, 4}, 0.5f, -1f, 2f, 0.25f, -3f, 1.5f, 0f, 4f),
      TestTensors.fp32("offset", new long[] {2, 3}, 0.1f, 0.2f, -0.3f, 1f, -1f, 0f));

  @Test
  void twoStagesRunInOrderGiveTheWholeModelsOutputs() throws Exception {
    PipelineRouter router = new PipelineRouter(targets(Map.of()), Duration.ofSeconds(5));
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
    PipelineRouter router = new PipelineRouter(targets(Map.of(0, List.of(silent), 1, List.of(broken))), Duration.ofMillis(300));
    List<Tensor> out = run(router, List.of("label"));
    assertEquals(1, silentCalls.get());
    assertEquals(1, out.size());
    assertArrayEquals(TestTensors.int64Values(byName(whole(), "label")), TestTensors.int64Values(out.get(0)));
  }

  @Test
  void aSilentReplicaWhoseTimeoutIsNotLearnedYetLeavesTimeToReplayTheStage() throws Exception {
    StageTarget silent = target("silent", (input, deadline) -> new CompletableFuture<>());
    // The attempt-timeout ceiling is longer than the whole deadline: only the halving leaves time for the next replica.
    PipelineRouter router = new PipelineRouter(
        (m, v, p) -> p == 0 ? List.of(silent, real(0).get(0)) : real(p), Duration.ofSeconds(30));
    List<Tensor> out = router.run("mlp", "1", descriptor, inputs, List.of("label"), Instant.now().plusSeconds(4))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertArrayEquals(TestTensors.int64Values(byName(whole(), "label")), TestTensors.int64Values(out.get(0)));
  }

  @Test
  void withHedgingASilentReplicaCostsOnlyTheHedgeDelay() throws Exception {
    StageTarget silent = target("silent", (input, deadline) -> new CompletableFuture<>());
    ModelDescriptor hedged = new ModelDescriptor(descriptor.inputs(), descriptor.outputs(), descriptor.stages(), 50);
    PipelineRouter router = new PipelineRouter(targets(Map.of(0, List.of(silent), 1, List.of(silent))), Duration.ofSeconds(10));
    long started = System.nanoTime();
    List<Tensor> out = router.run("mlp", "1", hedged, inputs, List.of("label"), Instant.now().plusSeconds(20))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertArrayEquals(TestTensors.int64Values(byName(whole(), "label")), TestTensors.int64Values(out.get(0)));
    assertTrue(millis < 5_000, "the silent replicas held the request " + millis + " ms");
  }

  @Test
  void whenNoReplicaAnswersTheErrorNamesThePartitionAndEveryAttempt() {
    StageTarget gone = target("rig-a", (input, deadline) ->
        CompletableFuture.completedFuture(new StageResult.Failed(StageResult.Reason.NOT_LOADED, "not here")));
    PipelineRouter router = new PipelineRouter((m, v, p) -> p == 1 ? List.of(gone) : real(p), Duration.ofSeconds(1));
    ExecutionException e = assertThrows(ExecutionException.class, () -> run(router, List.of()));
    NoHealthyReplica failure = assertInstanceOf(NoHealthyReplica.class, e.getCause());
    assertTrue(failure.getMessage().contains("partition 1 of mlp@1"), failure.getMessage());
    assertTrue(failure.getMessage().contains("rig-a: NOT_LOADED"), failure.getMessage());
  }

  @Test
  void allReplicasFullIsOverloadedAndABadInputIsNotRetried() {
    AtomicInteger calls = new AtomicInteger();
    StageTarget full = target("full", (input, deadline) -> {
      calls.incrementAndGet();
      return CompletableFuture.completedFuture(new StageResult.Failed(StageResult.Reason.OVERLOADED, "queue full"));
    });
    PipelineRouter busy = new PipelineRouter((m, v, p) -> List.of(full, full), Duration.ofSeconds(1));
    assertInstanceOf(Overloaded.class, assertThrows(ExecutionException.class, () -> run(busy, List.of())).getCause());
    assertEquals(2, calls.get());

    StageTarget picky = target("picky", (input, deadline) -> {
      calls.incrementAndGet();
      return CompletableFuture.completedFuture(new StageResult.Failed(StageResult.Reason.INVALID_INPUT, "bad shape"));
    });
    PipelineRouter strict = new PipelineRouter((m, v, p) -> List.of(picky, picky), Duration.ofSeconds(1));
    calls.set(0);
    assertInstanceOf(InvalidInput.class, assertThrows(ExecutionException.class, () -> run(strict, List.of())).getCause());
    assertEquals(1, calls.get());
  }

  private List<Tensor> run(PipelineRouter router, List<String> outputs) throws Exception {
    return router.run("mlp", "1", descriptor, inputs, outputs, Instant.now().plusSeconds(10))
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
    OnnxModel stage = runtime.load(plan.stage(partition).onnx());
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
    return new StageTarget() {
      @Override
      public String describe() {
        return name;
      }

      @Override
      public CompletionStage<StageResult> run(StageInput input, Instant attemptDeadline) {
        CompletableFuture<StageResult> answer = run.run(input, attemptDeadline).toCompletableFuture();
        return answer.orTimeout(Math.max(1, Duration.between(Instant.now(), attemptDeadline).toMillis()), TimeUnit.MILLISECONDS);
      }
    };
  }

  private static ModelDescriptor descriptor(PartitionPlan plan) {
    OnnxRuntime rt = new OnnxRuntime(RuntimeSettings.from(ConfigFactory.load()));
    try (OnnxModel whole = rt.load(TestModels.twoHeadMlp())) {
      List<ModelDescriptor.Stage> stages = new ArrayList<>();
      for (StagePlan s : plan.stages()) stages.add(new ModelDescriptor.Stage(s.inputs(), s.outputs()));
      return new ModelDescriptor(whole.inputs(), whole.outputs(), stages);
    }
  }
}
