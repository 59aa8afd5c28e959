package io.rigserve.serving.statistics;

import io.rigserve.serving.routing.StageTarget;
import io.rigserve.serving.routing.StageTargets;
import io.rigserve.sharding.replica.StageInput;
import io.rigserve.sharding.replica.StageResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The router's targets, each stage attempt counted in {@link InferenceStatistics} by partition and
 * region (with its time, answered or failed), without the router knowing of statistics.
 */
public final class CountedStageTargets implements StageTargets {

  private final StageTargets targets;
  private final InferenceStatistics statistics;

  public CountedStageTargets(StageTargets targets, InferenceStatistics statistics) {
    this.targets = targets;
    this.statistics = statistics;
  }

  @Override
  public List<StageTarget> candidates(String model, String version, int partition) {
    return targets.candidates(model, version, partition).stream()
        .map(t -> (StageTarget) new Counted(t, model, version, partition))
        .toList();
  }

  private final class Counted implements StageTarget {
    private final StageTarget target;
    private final String model;
    private final String version;
    private final int partition;

    Counted(StageTarget target, String model, String version, int partition) {
      this.target = target;
      this.model = model;
      this.version = version;
      this.partition = partition;
    }

    @Override
    public String describe() {
      return target.describe();
    }

    @Override
    public String region() {
      return target.region();
    }

    @Override
    public Duration attemptTimeout(Duration ceiling) {
      return target.attemptTimeout(ceiling);
    }

    @Override
    public CompletionStage<StageResult> run(StageInput input, Instant attemptDeadline) {
      long start = System.nanoTime();
      CompletionStage<StageResult> answer;
      try {
        answer = target.run(input, attemptDeadline);
      } catch (RuntimeException e) {
        answer = CompletableFuture.failedFuture(e);
      }
      return answer.whenComplete((result, error) -> statistics.stage(model, version, partition, target.region(),
          error == null && result instanceof StageResult.Output, System.nanoTime() - start));
    }
  }
}
