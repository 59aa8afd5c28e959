package io.rigserve.serving.routing;

import io.rigserve.serving.deploy.ModelDescriptor;
import io.rigserve.serving.error.DeadlineExceeded;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.error.NoHealthyReplica;
import io.rigserve.serving.error.Overloaded;
import io.rigserve.sharding.replica.StageInput;
import io.rigserve.sharding.replica.StageResult;
import io.rigserve.sharding.tensor.Tensor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Runs a request through a model's chain of stages. Each stage goes to the best replica of its
 * partition; if that replica fails, is not loaded, is full or does not answer within the attempt
 * timeout, the gateway replays the same stage input (it keeps it until the stage answers) on the
 * next replica, until the request's deadline. Tensors live in one pool, by name: the request's
 * inputs and every stage's outputs, so a stage reads whatever earlier stage produced its inputs.
 */
public final class PipelineRouter {

  private final StageTargets targets;
  private final Duration attemptTimeout;

  public PipelineRouter(StageTargets targets, Duration attemptTimeout) {
    this.targets = targets;
    this.attemptTimeout = attemptTimeout;
  }

  /** The model outputs named in {@code outputs} (all when empty), in that order. */
  public CompletionStage<List<Tensor>> run(String model, String version, ModelDescriptor descriptor,
      List<Tensor> inputs, List<String> outputs, Instant deadline) {
    Map<String, Tensor> pool = new HashMap<>();
    for (Tensor t : inputs) pool.put(t.name(), t);
    CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
    for (int i = 0; i < descriptor.stages().size(); i++) {
      int partition = i;
      ModelDescriptor.Stage stage = descriptor.stages().get(i);
      chain = chain.thenCompose(done -> runStage(model, version, partition, stage, pool, deadline, descriptor.hedgeAfter()));
    }
    List<String> wanted = outputs.isEmpty()
        ? descriptor.outputs().stream().map(s -> s.name()).toList() : outputs;
    return chain.thenApply(done -> {
      List<Tensor> answer = new ArrayList<>(wanted.size());
      for (String name : wanted) answer.add(pool.get(name));
      return answer;
    });
  }

  private CompletionStage<Void> runStage(String model, String version, int partition, ModelDescriptor.Stage stage,
      Map<String, Tensor> pool, Instant deadline, Duration hedgeAfter) {
    Tensor[] stageInputs = new Tensor[stage.inputs().size()];
    for (int i = 0; i < stageInputs.length; i++) {
      stageInputs[i] = pool.get(stage.inputs().get(i));
    }
    StageInput input = new StageInput(stageInputs, stage.outputs().toArray(new String[0]));
    List<StageTarget> candidates = hedged(targets.candidates(model, version, partition), hedgeAfter);
    String where = "partition " + partition + " of " + model + "@" + version;
    if (candidates.isEmpty()) {
      return CompletableFuture.failedFuture(new NoHealthyReplica("no replica of " + where + " is ready or reachable"));
    }
    return attempt(candidates, 0, input, deadline, where, new ArrayList<>(), 0).thenAccept(tensors -> {
      for (Tensor t : tensors) pool.put(t.name(), t);
    });
  }

  private CompletionStage<Tensor[]> attempt(List<StageTarget> candidates, int index, StageInput input,
      Instant deadline, String where, List<String> failures, int overloaded) {
    Instant now = Instant.now();
    if (!now.isBefore(deadline)) {
      return CompletableFuture.failedFuture(new DeadlineExceeded(
          "the request's deadline passed before " + where + " answered" + tried(failures)));
    }
    if (index >= candidates.size()) {
      if (overloaded == candidates.size()) {
        return CompletableFuture.failedFuture(new Overloaded("every replica of " + where + " is full" + tried(failures)));
      }
      return CompletableFuture.failedFuture(new NoHealthyReplica("no replica of " + where + " could answer" + tried(failures)));
    }
    StageTarget target = candidates.get(index);
    Duration budget = target.attemptTimeout(attemptTimeout);
    if (index + 1 < candidates.size()) {
      // While another replica could take the stage, an attempt leaves it time for a replay.
      Duration half = Duration.between(now, deadline).dividedBy(2);
      if (half.compareTo(budget) < 0) budget = half;
    }
    Instant attemptDeadline = min(deadline, now.plus(budget));
    return target.run(input, attemptDeadline).handle((result, error) -> {
      if (error == null && result instanceof StageResult.Output output) {
        return CompletableFuture.completedFuture(output.tensors());
      }
      if (error == null && result instanceof StageResult.Failed failed) {
        if (failed.reason() == StageResult.Reason.INVALID_INPUT) {
          return CompletableFuture.<Tensor[]>failedFuture(new InvalidInput(failed.message()));
        }
        failures.add(target.describe() + ": " + failed.reason() + " " + failed.message());
        int full = overloaded + (failed.reason() == StageResult.Reason.OVERLOADED ? 1 : 0);
        return attempt(candidates, index + 1, input, deadline, where, failures, full);
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      failures.add(target.describe() + ": " + cause);
      return attempt(candidates, index + 1, input, deadline, where, failures, overloaded);
    }).thenCompose(stage -> stage);
  }

  /** With hedging on, the two best replicas are raced as one target; the rest stay for failover. */
  private static List<StageTarget> hedged(List<StageTarget> candidates, Duration hedgeAfter) {
    if (hedgeAfter.isZero() || candidates.size() < 2) return candidates;
    List<StageTarget> out = new ArrayList<>();
    out.add(new HedgedTarget(candidates.get(0), candidates.get(1), hedgeAfter));
    out.addAll(candidates.subList(2, candidates.size()));
    return out;
  }

  private static String tried(List<String> failures) {
    return failures.isEmpty() ? "" : " (tried " + String.join("; ", failures) + ")";
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
