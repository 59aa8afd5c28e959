package io.rigserve.sharding.replica;

import io.rigserve.cluster.Failures;
import io.rigserve.cluster.serialization.InternalMessage;
import io.rigserve.sharding.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One replica of one partition, a sharded entity ({@code model@version/p{i}/r{j}}). It opens its
 * runtime as soon as it starts (LOADING, runs wait in its queue), then serves (READY); a runtime
 * that fails to open leaves it FAILED with the reason, trying again after a growing back-off. It
 * runs the runtime on the dedicated blocking dispatcher, a bounded number of runs at once, and
 * queues a bounded number more: a full replica answers OVERLOADED at once instead of piling up.
 * Every change of state goes to the rig's {@link ReplicaHost}, which publishes it.
 */
public final class PartitionReplica extends AbstractBehavior<PartitionReplica.Command> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "PartitionReplica");

  public sealed interface Command extends InternalMessage
      permits Run, Warm, Release, RunFinished, Opened, RetryOpen {}

  /**
   * Run the stage unless {@code deadlineEpochMillis} has passed by the time it would start.
   * {@code traceparent} is the W3C context of the gateway's stage attempt ("" outside a trace).
   */
  public record Run(StageInput input, long deadlineEpochMillis, String traceparent, ActorRef<StageResult> replyTo)
      implements Command {

    /** A run outside any trace. */
    public Run(StageInput input, long deadlineEpochMillis, ActorRef<StageResult> replyTo) {
      this(input, deadlineEpochMillis, "", replyTo);
    }
  }

  /**
   * Start now: sent by the rig the replica is placed on, so that it loads as soon as it is
   * placed and not on its first request. A running replica reports its state again.
   */
  public record Warm() implements Command {}

  /**
   * Stop and release the runtime: the replica is no longer placed in its region. It takes no new
   * runs and stops once those running have answered. Local only.
   */
  record Release() implements Command, NoSerializationVerificationNeeded {}

  /** A run ended on the blocking dispatcher (its caller already has the answer); never leaves this rig. */
  record RunFinished() implements Command, NoSerializationVerificationNeeded {}

  /** Opening the runtime ended: {@code runtime} on success, else why it failed. */
  record Opened(PartitionRuntime runtime, String failure) implements Command, NoSerializationVerificationNeeded {}

  record RetryOpen() implements Command, NoSerializationVerificationNeeded {}

  /**
   * @param host told every state change of this replica (the {@link ReplicaHost} of this rig)
   */
  public static Behavior<Command> create(
      ReplicaId id, PartitionRuntimes runtimes, ReplicaSettings settings, ActorRef<ReplicaHost.Command> host) {
    return create(id, runtimes, settings, host, OpenTelemetry.noop().getTracer(TRACER));
  }

  /** As {@link #create(ReplicaId, PartitionRuntimes, ReplicaSettings, ActorRef)}, each traced run a span of {@code tracer}. */
  public static Behavior<Command> create(ReplicaId id, PartitionRuntimes runtimes, ReplicaSettings settings,
      ActorRef<ReplicaHost.Command> host, Tracer tracer) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new PartitionReplica(ctx, timers, id, runtimes, settings, host, tracer)));
  }

  /** The instrumentation scope of replica spans. */
  public static final String TRACER = "io.rigserve.sharding.replica";

  /** A run waiting for its answer, with its span (which ends with the answer). */
  private record Pending(Run run, RunSpan span) {
    void answer(StageResult result) {
      run.replyTo().tell(result);
      span.end(result);
    }
  }

  private final TimerScheduler<Command> timers;
  private final ReplicaId id;
  private final PartitionRuntimes runtimes;
  private final ReplicaSettings settings;
  private final ActorRef<ReplicaHost.Command> host;
  private final Executor blocking;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final Tracer tracer;
  private final String rig;
  private ReplicaState state;
  private String reason = "";
  private PartitionRuntime runtime;
  private int failures;
  private int running;
  private boolean releasing;

  private PartitionReplica(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ReplicaId id,
      PartitionRuntimes runtimes,
      ReplicaSettings settings,
      ActorRef<ReplicaHost.Command> host,
      Tracer tracer) {
    super(ctx);
    this.tracer = tracer;
    this.rig = ctx.getSystem().address().toString();
    this.timers = timers;
    this.id = id;
    this.runtimes = runtimes;
    this.settings = settings;
    this.host = host;
    this.blocking =
        ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(settings.dispatcher()));
    open();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Run.class, this::onRun)
        .onMessage(Warm.class, warm -> {
          // A host that restarted lost what it knew: a warm-up tells it again.
          host.tell(new ReplicaHost.ReplicaChanged(id, state, reason, getContext().getSelf()));
          return this;
        })
        .onMessage(Release.class, this::onRelease)
        .onMessage(RunFinished.class, this::onRunFinished)
        .onMessage(Opened.class, this::onOpened)
        .onMessage(RetryOpen.class, retry -> {
          open();
          return this;
        })
        .onSignal(PostStop.class, this::onStop)
        .build();
  }

  private void open() {
    changeState(ReplicaState.LOADING, "");
    CompletionStage<PartitionRuntime> opening;
    try {
      opening = runtimes.open(id);
    } catch (RuntimeException e) {
      opening = CompletableFuture.failedFuture(e);
    }
    getContext().pipeToSelf(opening, (rt, error) ->
        rt != null ? new Opened(rt, null) : new Opened(null, Failures.describe(error)));
  }

  private Behavior<Command> onOpened(Opened opened) {
    if (opened.runtime() != null) {
      runtime = opened.runtime();
      failures = 0;
      changeState(ReplicaState.READY, "");
      startQueued();
      return this;
    }
    failures++;
    Duration wait = settings.loadRetryAfter(failures);
    changeState(ReplicaState.FAILED, opened.failure() + " (attempt " + failures + ", next in " + wait.toMillis() + " ms)");
    while (!queue.isEmpty()) {
      notLoaded(queue.pollFirst());
    }
    timers.startSingleTimer(new RetryOpen(), wait);
    return this;
  }

  private Behavior<Command> onRun(Run message) {
    if (message.replyTo() == null) return this; // a malformed message from the wire: nobody to answer
    Pending run = new Pending(message, RunSpan.start(tracer, message.traceparent(), id, rig));
    String invalid = inconsistency(message.input());
    if (invalid != null) {
      // The sender's fault, not this replica's: the gateway answers it without counting it here.
      run.answer(new StageResult.Failed(StageResult.Reason.INVALID_INPUT,
          "replica " + id + " refused the stage: " + invalid));
    } else if (state == ReplicaState.FAILED || releasing) {
      notLoaded(run);
    } else if (state == ReplicaState.READY && running < settings.maxConcurrentRuns()) {
      start(run);
    } else if (queue.size() < settings.maxQueuedRuns()) {
      run.span().event("queued");
      queue.addLast(run);
    } else {
      run.answer(new StageResult.Failed(StageResult.Reason.OVERLOADED,
              "replica " + id + " is full (" + state.name().toLowerCase() + ", " + running + " running, "
                  + queue.size() + " queued)"));
    }
    return this;
  }

  private Behavior<Command> onRunFinished(RunFinished finished) {
    running--;
    if (releasing) return running == 0 ? Behaviors.stopped() : this;
    startQueued();
    return this;
  }

  private Behavior<Command> onRelease(Release release) {
    if (running == 0) return Behaviors.stopped();
    releasing = true;
    reason = "it is being released";
    while (!queue.isEmpty()) {
      notLoaded(queue.pollFirst());
    }
    return this;
  }

  private void startQueued() {
    while (running < settings.maxConcurrentRuns() && !queue.isEmpty()) {
      start(queue.pollFirst());
    }
  }

  private void start(Pending run) {
    if (System.currentTimeMillis() > run.run().deadlineEpochMillis()) {
      run.answer(new StageResult.Failed(StageResult.Reason.DEADLINE_EXCEEDED,
              "deadline passed before " + id + " could run the stage"));
      return;
    }
    running++;
    PartitionRuntime rt = runtime;
    ActorRef<Command> self = getContext().getSelf();
    // The blocking thread answers the caller itself: one thread hop less on every request.
    CompletableFuture.runAsync(() -> {
      try {
        run.span().event("started");
        run.answer(execute(rt, run.run().input()));
      } finally {
        self.tell(new RunFinished());
      }
    }, blocking);
  }

  private void notLoaded(Pending run) {
    run.answer(new StageResult.Failed(StageResult.Reason.NOT_LOADED,
        "replica " + id + " is not loaded on this rig: " + reason));
  }

  private Behavior<Command> onStop(PostStop stop) {
    // Queued callers learn at once, so they can try another replica before their deadline.
    reason = "it stopped";
    while (!queue.isEmpty()) {
      notLoaded(queue.pollFirst());
    }
    runtimes.close(id);
    return this;
  }

  private void changeState(ReplicaState next, String why) {
    state = next;
    reason = why;
    host.tell(new ReplicaHost.ReplicaChanged(id, next, why, getContext().getSelf()));
  }

  /**
   * Why a stage input cannot be run (missing parts, tensors whose data disagree with their
   * shapes), or null: the message came from another rig and is checked before anything reads it.
   */
  static String inconsistency(StageInput input) {
    if (input == null || input.tensors() == null || input.outputs() == null) return "the stage input is incomplete";
    for (Tensor t : input.tensors()) {
      if (t == null) return "a stage input tensor is missing";
      var reason = t.inconsistency();
      if (reason.isPresent()) return reason.get();
    }
    for (String output : input.outputs()) {
      if (output == null) return "a requested output has no name";
    }
    return null;
  }

  private static StageResult execute(PartitionRuntime runtime, StageInput input) {
    try {
      Tensor[] outputs = runtime.run(input.tensors(), input.outputs());
      return new StageResult.Output(outputs);
    } catch (PartitionRuntime.RuntimeFailure e) {
      return new StageResult.Failed(
          e.clientError() ? StageResult.Reason.INVALID_INPUT : StageResult.Reason.RUNTIME_ERROR,
          e.getMessage());
    } catch (RuntimeException e) {
      return new StageResult.Failed(StageResult.Reason.RUNTIME_ERROR, String.valueOf(e.getMessage()));
    }
  }
}
