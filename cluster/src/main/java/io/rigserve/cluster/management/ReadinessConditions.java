package io.rigserve.cluster.management;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * What must be true, besides being Up in the cluster, before this rig reports ready on {@code
 * /ready}. Other modules add their conditions ("the replicas it hosts are loaded") at start; a
 * condition that fails or throws counts as not ready.
 *
 * <p>An actor system extension, because Pekko Management builds {@link RigReadinessCheck} by
 * reflection from the actor system alone.
 */
public final class ReadinessConditions implements Extension {

  private static final Id ID = new Id();

  private final Map<String, Supplier<CompletionStage<Boolean>>> conditions = new ConcurrentHashMap<>();

  public static ReadinessConditions get(ActorSystem<?> system) {
    return ID.get(Adapter.toClassic(system));
  }

  /** Adds or replaces the condition of this name. */
  public void add(String name, Supplier<CompletionStage<Boolean>> condition) {
    conditions.put(name, condition);
  }

  /** True when every condition is true; false as soon as one is false, fails or throws. */
  public CompletionStage<Boolean> allTrue() {
    List<CompletableFuture<Boolean>> results =
        conditions.values().stream().map(ReadinessConditions::evaluate).toList();
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(done -> results.stream().allMatch(CompletableFuture::join));
  }

  private static CompletableFuture<Boolean> evaluate(Supplier<CompletionStage<Boolean>> condition) {
    try {
      return condition.get().toCompletableFuture()
          .thenApply(Boolean.TRUE::equals)
          .exceptionally(e -> false);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(false);
    }
  }

  static final class Id extends AbstractExtensionId<ReadinessConditions> implements ExtensionIdProvider {
    @Override
    public ReadinessConditions createExtension(ExtendedActorSystem system) {
      return new ReadinessConditions();
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
