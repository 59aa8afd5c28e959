package io.rigserve.serving.routing;

import io.opentelemetry.context.Context;
import io.rigserve.sharding.replica.StageInput;
import io.rigserve.sharding.replica.StageResult;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two replicas raced for one stage: the second gets a copy only if the first has not answered
 * after {@code delay}. The first output wins; the stage fails only when both copies failed.
 * Cuts the tail a slow or silently dead replica would add, at the price of some duplicate work.
 */
final class HedgedTarget implements StageTarget {

  private final StageTarget first;
  private final StageTarget second;
  private final Duration delay;

  HedgedTarget(StageTarget first, StageTarget second, Duration delay) {
    this.first = first;
    this.second = second;
    this.delay = delay;
  }

  @Override
  public String describe() {
    return first.describe() + " (hedged after " + delay.toMillis() + " ms with " + second.describe() + ")";
  }

  /** The pair counts where its first copy goes: the second is sent only when the first is slow. */
  @Override
  public String region() {
    return first.region();
  }

  @Override
  public Duration attemptTimeout(Duration ceiling) {
    return first.attemptTimeout(ceiling).plus(delay);
  }

  @Override
  public CompletionStage<StageResult> run(StageInput input, Instant attemptDeadline) {
    CompletableFuture<StageResult> answer = new CompletableFuture<>();
    AtomicInteger pending = new AtomicInteger(2);
    StageResult[] lastFailure = new StageResult[1];
    first.run(input, attemptDeadline).whenComplete((r, e) -> settle(r, e, answer, pending, lastFailure, first));
    // The second copy is sent from a timer thread, in the same attempt's trace context.
    CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS).execute(Context.current().wrap(() -> {
      if (answer.isDone()) {
        settle(new StageResult.Failed(StageResult.Reason.DEADLINE_EXCEEDED, "not needed"), null, answer, pending, lastFailure, second);
      } else {
        second.run(input, attemptDeadline).whenComplete((r, e) -> settle(r, e, answer, pending, lastFailure, second));
      }
    }));
    return answer;
  }

  private static void settle(StageResult result, Throwable error, CompletableFuture<StageResult> answer,
      AtomicInteger pending, StageResult[] lastFailure, StageTarget from) {
    if (error == null && result instanceof StageResult.Output) {
      answer.complete(result);
    } else {
      synchronized (lastFailure) {
        if (lastFailure[0] == null || error == null) {
          lastFailure[0] = error != null
              ? new StageResult.Failed(StageResult.Reason.RUNTIME_ERROR, from.describe() + ": " + error)
              : result;
        }
      }
    }
    if (pending.decrementAndGet() == 0) {
      answer.complete(lastFailure[0]);
    }
  }
}
