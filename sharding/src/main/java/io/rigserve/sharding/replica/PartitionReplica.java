package io.rigserve.sharding.replica;

import io.rigserve.cluster.serialization.InternalMessage;
import io.rigserve.sharding.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One replica of one partition, a sharded entity ({@code model@version/p{i}/r{j}}). It runs its
 * partition's runtime on the dedicated blocking dispatcher, a bounded number of runs at once,
 * and queues a bounded number more: a full replica answers OVERLOADED at once instead of piling up.
 */
public final class PartitionReplica extends AbstractBehavior<PartitionReplica.Command> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "PartitionReplica");

  public sealed interface Command extends InternalMessage permits Run, RunFinished {}

  /** Run the stage unless {@code deadlineEpochMillis} has passed by the time it would start. */
  public record Run(StageInput input, long deadlineEpochMillis, ActorRef<StageResult> replyTo)
      implements Command {}

  /** A run ended on the blocking dispatcher (its caller already has the answer); never leaves this rig. */
  record RunFinished() implements Command, NoSerializationVerificationNeeded {}

  public static Behavior<Command> create(
      ReplicaId id, PartitionRuntimes runtimes, ReplicaSettings settings) {
    return Behaviors.setup(ctx -> new PartitionReplica(ctx, id, runtimes, settings));
  }

  private final ReplicaId id;
  private final PartitionRuntimes runtimes;
  private final ReplicaSettings settings;
  private final Executor blocking;
  private final ArrayDeque<Run> queue = new ArrayDeque<>();
  private int running;

  private PartitionReplica(
      ActorContext<Command> ctx, ReplicaId id, PartitionRuntimes runtimes, ReplicaSettings settings) {
    super(ctx);
    this.id = id;
    this.runtimes = runtimes;
    this.settings = settings;
    this.blocking =
        ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(settings.dispatcher()));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Run.class, this::onRun)
        .onMessage(RunFinished.class, this::onRunFinished)
        .build();
  }

  private Behavior<Command> onRun(Run run) {
    if (running < settings.maxConcurrentRuns()) {
      start(run);
    } else if (queue.size() < settings.maxQueuedRuns()) {
      queue.addLast(run);
    } else {
      run.replyTo()
          .tell(new StageResult.Failed(StageResult.Reason.OVERLOADED,
              "replica " + id + " is full (" + running + " running, " + queue.size() + " queued)"));
    }
    return this;
  }

  private Behavior<Command> onRunFinished(RunFinished finished) {
    running--;
    while (running < settings.maxConcurrentRuns() && !queue.isEmpty()) {
      start(queue.pollFirst());
    }
    return this;
  }

  private void start(Run run) {
    if (System.currentTimeMillis() > run.deadlineEpochMillis()) {
      run.replyTo()
          .tell(new StageResult.Failed(StageResult.Reason.DEADLINE_EXCEEDED,
              "deadline passed before " + id + " could run the stage"));
      return;
    }
    Optional<PartitionRuntime> runtime = runtimes.find(id);
    if (runtime.isEmpty()) {
      run.replyTo()
          .tell(new StageResult.Failed(StageResult.Reason.NOT_LOADED, "replica " + id + " is not loaded on this rig"));
      return;
    }
    running++;
    PartitionRuntime rt = runtime.get();
    ActorRef<Command> self = getContext().getSelf();
    // The blocking thread answers the caller itself: one thread hop less on every request.
    CompletableFuture.runAsync(() -> {
      try {
        run.replyTo().tell(execute(rt, run.input()));
      } finally {
        self.tell(new RunFinished());
      }
    }, blocking);
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
