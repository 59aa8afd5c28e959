package io.rigserve.serving.routing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.rigserve.cluster.Failures;
import io.rigserve.serving.error.DeadlineExceeded;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.error.NoHealthyReplica;
import io.rigserve.serving.error.Overloaded;
import io.rigserve.serving.trace.RequestContext;
import io.rigserve.serving.trace.RequestTracer;
import io.rigserve.sharding.replica.StageInput;
import io.rigserve.sharding.replica.StageResult;
import io.rigserve.sharding.tensor.Tensor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a request through a model's chain of stages. Each stage goes to the best replica of its
 * partition; if that replica fails, is not loaded, is full or does not answer within the attempt
 * timeout, the gateway replays the same stage input (it keeps it until the stage answers) on the
 * next replica, until the request's deadline; when every replica of a round has failed and time is
 * left, the stage is planned again (up to {@link #ROUNDS} rounds). Tensors live in one pool, by
 * name: the request's inputs and every stage's outputs, so a stage reads whatever earlier stage produced its inputs.
 * Every attempt and every failover is recorded in the {@link RoutingJournal} operators read.
 * A request runs in the trace context current when {@link #run} is called: each attempt is a span
 * of it, carried to the replica, and every callback logs with the request's ids.
 */
public final class PipelineRouter {

  private final StageTargets targets;
  private final Duration attemptTimeout;
  private final RoutingJournal journal;
  private final Tracer tracer;

  public PipelineRouter(StageTargets targets, Duration attemptTimeout, RoutingJournal journal) {
    this(targets, attemptTimeout, journal, OpenTelemetry.noop().getTracer(RequestTracer.SCOPE));
  }

  /** A router whose stage attempts are spans of {@code tracer}. */
  public PipelineRouter(StageTargets targets, Duration attemptTimeout, RoutingJournal journal, Tracer tracer) {
    this.targets = targets;
    this.attemptTimeout = attemptTimeout;
    this.journal = journal;
    this.tracer = tracer;
  }

  /** The model outputs named in {@code outputs} (all when empty), in that order. */
  public CompletionStage<List<Tensor>> run(String model, String version, StageChain chain,
      List<Tensor> inputs, List<String> outputs, Instant deadline) {
    Map<String, Tensor> pool = new HashMap<>();
    for (Tensor t : inputs) pool.put(t.name(), t);
    Context request = Context.current();
    CompletionStage<Void> ran = CompletableFuture.completedFuture(null);
    for (int i = 0; i < chain.stages().size(); i++) {
      int partition = i;
      StageChain.Stage stage = chain.stages().get(i);
      ran = ran.thenCompose(done -> runStage(model, version, partition, stage, pool, deadline, chain.hedgeAfter(), request));
    }
    List<String> wanted = outputs.isEmpty() ? chain.outputs() : outputs;
    return ran.thenApply(done -> {
      List<Tensor> answer = new ArrayList<>(wanted.size());
      for (String name : wanted) answer.add(pool.get(name));
      return answer;
    });
  }

  private CompletionStage<Void> runStage(String model, String version, int partition, StageChain.Stage stage,
      Map<String, Tensor> pool, Instant deadline, Duration hedgeAfter, Context request) {
    Tensor[] stageInputs = new Tensor[stage.inputs().size()];
    for (int i = 0; i < stageInputs.length; i++) {
      stageInputs[i] = pool.get(stage.inputs().get(i));
    }
    StageInput input = new StageInput(stageInputs, stage.outputs().toArray(new String[0]));
    List<StageTarget> candidates = hedged(targets.candidates(model, version, partition), hedgeAfter);
    StageCall call = new StageCall(model, version, partition, hedgeAfter, 1, candidates, input, deadline, new ArrayList<>(),
        request);
    if (candidates.isEmpty()) {
      return CompletableFuture.failedFuture(new NoHealthyReplica("no replica of " + call.where() + " is ready or reachable"));
    }
    return attempt(call, 0, 0, null).thenAccept(tensors -> {
      for (Tensor t : tensors) pool.put(t.name(), t);
    });
  }

  /**
   * One stage of one request: where it may go in this round of candidates, what it sends, and the
   * attempts that failed so far (in every round), in the trace context of its request.
   */
  private record StageCall(String model, String version, int partition, Duration hedgeAfter, int round,
      List<StageTarget> candidates, StageInput input, Instant deadline, List<String> failures, Context request) {
    String where() {
      return "partition " + partition + " of " + model + "@" + version;
    }

    StageCall nextRound(List<StageTarget> fresh) {
      return new StageCall(model, version, partition, hedgeAfter, round + 1, fresh, input, deadline, failures, request);
    }

    /** The same candidates, with no round left: the stage fails once they have. */
    StageCall finalRound() {
      return new StageCall(model, version, partition, hedgeAfter, ROUNDS, candidates, input, deadline, failures, request);
    }
  }

  /** Rounds of candidates one stage may go through before the request fails. */
  static final int ROUNDS = 3;
  /** Pause before a new round, so that a round of instant failures does not spin. */
  private static final long REPLAN_PAUSE_MILLIS = 50;

  /** The attempt before this one failed on {@code replica}; recorded once the next target (or none) is known. */
  private record FailedAttempt(String replica, String reason) {}

  /** Every step of a stage, on whatever thread its callback runs, logs and traces as its request. */
  private CompletionStage<Tensor[]> attempt(StageCall call, int index, int overloaded, FailedAttempt previous) {
    try (Scope scope = RequestContext.enter(call.request())) {
      return attemptInContext(call, index, overloaded, previous);
    }
  }

  private CompletionStage<Tensor[]> attemptInContext(StageCall call, int index, int overloaded, FailedAttempt previous) {
    Instant now = Instant.now();
    boolean timeLeft = now.isBefore(call.deadline());
    StageTarget target = timeLeft && index < call.candidates().size() ? call.candidates().get(index) : null;
    if (target == null && timeLeft && overloaded < call.candidates().size() && call.round() < ROUNDS) {
      // Every candidate failed, but time is left and routing has learnt from the failures (breakers,
      // silent regions): plan the stage again rather than fail the request.
      return CompletableFuture.supplyAsync(() -> hedged(targets.candidates(call.model(), call.version(), call.partition()),
              call.hedgeAfter()), CompletableFuture.delayedExecutor(REPLAN_PAUSE_MILLIS, TimeUnit.MILLISECONDS))
          .thenCompose(fresh -> fresh.isEmpty()
              ? attempt(call.finalRound(), index, overloaded, previous)
              : attempt(call.nextRound(fresh), 0, 0, previous));
    }
    if (previous != null) {
      Optional<String> next = Optional.ofNullable(target).map(StageTarget::describe);
      journal.failedOver(call.model(), call.version(), call.partition(), previous.replica(), previous.reason(), next,
          RequestContext.requestId(call.request()), RequestContext.traceId(call.request()));
      AttemptSpan.failover(call.request(), previous.replica(), previous.reason(), next);
    }
    if (!timeLeft) {
      return CompletableFuture.failedFuture(new DeadlineExceeded(
          "the request's deadline passed before " + call.where() + " answered" + tried(call.failures())));
    }
    if (target == null) {
      if (overloaded == call.candidates().size()) {
        return CompletableFuture.failedFuture(new Overloaded(
            "every replica of " + call.where() + " is full" + tried(call.failures())));
      }
      return CompletableFuture.failedFuture(new NoHealthyReplica(
          "no replica of " + call.where() + " could answer" + tried(call.failures())));
    }
    Duration budget = AttemptTimeout.withinDeadline(target.attemptTimeout(attemptTimeout),
        Duration.between(now, call.deadline()), index + 1 < call.candidates().size());
    Instant attemptDeadline = min(call.deadline(), now.plus(budget));
    journal.sent(call.model(), call.version(), call.partition(), target.region(), target.describe());
    AttemptSpan span = AttemptSpan.start(tracer, call.request(), call.model(), call.version(), call.partition(), target,
        call.round());
    return send(target, call.input(), attemptDeadline, span.context()).handle((result, error) -> {
      if (error == null && result instanceof StageResult.Output output) {
        span.end("output", false);
        return CompletableFuture.completedFuture(output.tensors());
      }
      if (error == null && result instanceof StageResult.Failed failed) {
        span.end(reason(failed), failed.reason() != StageResult.Reason.INVALID_INPUT);
        if (failed.reason() == StageResult.Reason.INVALID_INPUT) {
          return CompletableFuture.<Tensor[]>failedFuture(new InvalidInput(failed.message()));
        }
        call.failures().add(target.describe() + ": " + failed.reason() + " " + failed.message());
        int full = overloaded + (failed.reason() == StageResult.Reason.OVERLOADED ? 1 : 0);
        return attempt(call, index + 1, full, new FailedAttempt(target.describe(), reason(failed)));
      }
      Throwable cause = Failures.unwrap(error);
      span.end(reason(cause), true);
      call.failures().add(target.describe() + ": " + cause);
      return attempt(call, index + 1, overloaded, new FailedAttempt(target.describe(), reason(cause)));
    }).thenCompose(stage -> stage);
  }

  /**
   * A target that throws instead of answering is treated like one that failed: the stage moves on.
   * The target sends in {@code attempt}'s context, so the stage message carries the attempt's span.
   */
  private static CompletionStage<StageResult> send(StageTarget target, StageInput input, Instant attemptDeadline,
      Context attempt) {
    try (Scope scope = attempt.makeCurrent()) {
      return target.run(input, attemptDeadline);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static String reason(StageResult.Failed failed) {
    String message = failed.message() == null || failed.message().isBlank() ? "" : ": " + failed.message();
    return failed.reason() + message;
  }

  /** An ask that timed out is {@code TIMEOUT}; anything else is named by its class. */
  private static String reason(Throwable cause) {
    if (cause instanceof TimeoutException) return "TIMEOUT";
    return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
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
