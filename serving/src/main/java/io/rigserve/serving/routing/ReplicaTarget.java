package io.rigserve.serving.routing;

import io.rigserve.serving.trace.Traceparent;
import io.rigserve.sharding.replica.PartitionReplica;
import io.rigserve.sharding.replica.ReplicaSharding;
import io.rigserve.sharding.replica.StageInput;
import io.rigserve.sharding.replica.StageResult;
import io.rigserve.sharding.tensor.Tensor;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * One ranked replica as the router sends to it: the stage goes through Cluster Sharding (to
 * another region through its proxy), its answer feeds the replica's {@link ReplicaStats}, and
 * an output goes through the gateway's {@link StageCheck}.
 */
final class ReplicaTarget implements StageTarget {

  private final ReplicaSharding sharding;
  private final RoutingStats stats;
  private final ReplicaRanking.Candidate candidate;
  private final StageCheck check;

  ReplicaTarget(ReplicaSharding sharding, RoutingStats stats, ReplicaRanking.Candidate candidate) {
    this(sharding, stats, candidate, StageCheck.NONE);
  }

  ReplicaTarget(ReplicaSharding sharding, RoutingStats stats, ReplicaRanking.Candidate candidate, StageCheck check) {
    this.sharding = sharding;
    this.stats = stats;
    this.candidate = candidate;
    this.check = check;
  }

  @Override
  public Optional<String> rig() {
    return Optional.of(candidate.replica().address());
  }

  @Override
  public String describe() {
    return candidate.replica().id() + " in " + candidate.replica().region() + " on " + candidate.replica().address();
  }

  @Override
  public String region() {
    return candidate.replica().region();
  }

  @Override
  public Duration attemptTimeout(Duration ceiling) {
    return AttemptTimeout.forReplica(candidate.rttMillis(), candidate.serviceMillis(), ceiling);
  }

  @Override
  public CompletionStage<StageResult> run(StageInput input, Instant attemptDeadline) {
    Duration timeout = Duration.between(Instant.now(), attemptDeadline);
    if (timeout.isNegative() || timeout.isZero()) {
      return CompletableFuture.completedFuture(
          new StageResult.Failed(StageResult.Reason.DEADLINE_EXCEEDED, "no time left for " + describe()));
    }
    ReplicaStats replicaStats = candidate.stats();
    long deadline = attemptDeadline.toEpochMilli();
    long started = System.nanoTime();
    replicaStats.started();
    RigSilence rig = stats.rig(candidate.replica().address());
    rig.sent(started);
    return sharding.refFor(candidate.replica().id(), candidate.replica().region())
        .<StageResult>ask(replyTo -> new PartitionReplica.Run(input, deadline, Traceparent.ofCurrent(), replyTo), timeout)
        .thenApply(ReplicaTarget::verified)
        .whenComplete((result, error) -> {
          if (result != null) {
            long now = System.nanoTime();
            rig.answered(now, (now - started) / 1e6);
          } else if (timedOut(error)) {
            stats.timedOut(candidate.replica().address(), started);
          }
          if (result instanceof StageResult.Output) {
            // The EWMA is of the replica's own time: the round trip is counted apart, once.
            replicaStats.succeeded(Math.max(0, (System.nanoTime() - started) / 1e6 - candidate.rttMillis()));
          } else if (result instanceof StageResult.Failed f
              && (f.reason() == StageResult.Reason.INVALID_INPUT || f.reason() == StageResult.Reason.OVERLOADED)) {
            replicaStats.answered();
          } else {
            stats.failed(replicaStats);
          }
        })
        .thenCompose(result -> result instanceof StageResult.Output output
            ? check.answered(candidate.replica().id(), candidate.replica().address(), input, output)
            : CompletableFuture.completedFuture(result));
  }

  private static boolean timedOut(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return cause instanceof TimeoutException;
  }

  /**
   * Outputs another rig sent are checked before the next stage or the client gets them: tensors
   * that disagree with their shapes are that replica's failure (its breaker counts it and the
   * stage moves on), not the next replica's nor the client's.
   */
  static StageResult verified(StageResult result) {
    if (!(result instanceof StageResult.Output output)) return result;
    if (output.tensors() == null) return new StageResult.Failed(StageResult.Reason.RUNTIME_ERROR, "the replica answered no tensors");
    for (Tensor t : output.tensors()) {
      String why = t == null ? "a missing tensor" : t.inconsistency().orElse(null);
      if (why != null) return new StageResult.Failed(StageResult.Reason.RUNTIME_ERROR, "the replica answered " + why);
    }
    return result;
  }
}
