package io.rigserve.cluster.node;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * Tells a downed rig from one that stopped on purpose. A rig downed by its region's Split Brain
 * Resolver, by {@code RegionDowning} or by an operator (or one that downed itself on learning it
 * was quarantined) shuts its actor system down with Pekko's cluster-downing reason; {@link
 * #whenDowned()} completes once that system has terminated, so the owner can build a new one and
 * rejoin. A rig that leaves, or whose owner stops it, never completes it.
 */
public final class RigLifecycle {

  private final ActorSystem<?> system;
  private final AtomicBoolean stopRequested = new AtomicBoolean();
  private final CompletableFuture<Done> downed = new CompletableFuture<>();

  private RigLifecycle(ActorSystem<?> system) {
    this.system = system;
  }

  public static RigLifecycle watch(ActorSystem<?> system) {
    RigLifecycle lifecycle = new RigLifecycle(system);
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(Adapter.toClassic(system));
    system.getWhenTerminated().thenRun(() -> {
      boolean downedByCluster =
          shutdown.getShutdownReason()
              .map(r -> r.equals(CoordinatedShutdown.clusterDowningReason()))
              .orElse(false);
      if (downedByCluster && !lifecycle.stopRequested.get()) {
        lifecycle.downed.complete(Done.getInstance());
      }
    });
    return lifecycle;
  }

  /** Completes after the actor system has terminated because the cluster downed this rig. */
  public CompletionStage<Done> whenDowned() {
    return downed;
  }

  public CompletionStage<Done> whenTerminated() {
    return system.getWhenTerminated().thenApply(t -> Done.getInstance());
  }

  /** Leaves the cluster gracefully; completes once this rig has been removed. */
  public CompletionStage<Done> leave() {
    stopRequested.set(true);
    return ClusterFormation.leave(system);
  }

  /** Declares that the coming termination is on purpose, so it is not taken for a downing. */
  public void stopping() {
    stopRequested.set(true);
  }

  /** Stops the actor system on purpose; completes when it has terminated. */
  public CompletionStage<Done> stop() {
    stopping();
    system.terminate();
    return whenTerminated();
  }
}
