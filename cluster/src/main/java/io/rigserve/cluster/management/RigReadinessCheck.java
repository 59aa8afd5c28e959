package io.rigserve.cluster.management;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;

/**
 * Readiness of this rig for {@code /ready}: Up in the cluster, and every {@link
 * ReadinessConditions} condition true. Registered in reference.conf under {@code
 * pekko.management.health-checks.readiness-checks.rigserve}; Pekko Management builds it with the
 * classic actor system.
 */
public final class RigReadinessCheck implements Supplier<CompletionStage<Boolean>> {

  private final Cluster cluster;
  private final ReadinessConditions conditions;

  public RigReadinessCheck(ActorSystem system) {
    this.cluster = Cluster.get(system);
    this.conditions = ReadinessConditions.get(Adapter.toTyped(system));
  }

  @Override
  public CompletionStage<Boolean> get() {
    if (cluster.selfMember().status() != MemberStatus.up()) {
      return CompletableFuture.completedFuture(false);
    }
    return conditions.allTrue();
  }
}
