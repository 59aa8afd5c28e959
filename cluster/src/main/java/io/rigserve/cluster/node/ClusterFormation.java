package io.rigserve.cluster.node;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.cluster.typed.Leave;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;

/** Joins a rig to its cluster, rejoins it after a restart, and lets it leave. */
public final class ClusterFormation {

  private ClusterFormation() {}

  /**
   * Joins the configured seeds, or forms a new cluster when there are none. With Kubernetes API
   * discovery, Cluster Bootstrap also looks for the region's pods and joins through them (forming
   * the cluster only when no seeds of other regions are configured).
   */
  public static void join(ActorSystem<?> system, RigSettings rig, ClusterDiscovery discovery) {
    Cluster cluster = Cluster.get(system);
    if (discovery.bootstraps()) {
      try {
        ClusterBootstrap.get(system).start();
      } catch (Exception e) { // Scala code throws checked exceptions undeclared (NoSuchFileException)
        // Outside a pod the Kubernetes API discovery cannot even start (no service account files).
        throw new IllegalStateException("rigserve.node.discovery = kubernetes-api, but Kubernetes API discovery cannot start"
            + " (is this rig running in a Kubernetes pod with a service account?): " + e, e);
      }
      if (!rig.seedNodes().isEmpty()) cluster.manager().tell(new JoinSeedNodes(addresses(system, rig.seedNodes())));
    } else if (rig.seedNodes().isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    } else {
      cluster.manager().tell(new JoinSeedNodes(addresses(system, rig.seedNodes())));
    }
  }

  /**
   * Joins again after this rig was downed and restarted: to the seeds other than itself, retrying
   * until one answers. A first seed that joined itself after a restart would form a second
   * cluster beside the one that downed it; only a rig that is its own sole seed does so.
   */
  public static void rejoin(ActorSystem<?> system, RigSettings rig, ClusterDiscovery discovery) {
    Cluster cluster = Cluster.get(system);
    if (discovery.bootstraps()) {
      join(system, rig, discovery); // a new actor system: bootstrap finds the region's members again
      return;
    }
    Address self = cluster.selfMember().address();
    List<Address> others =
        addresses(system, rig.seedNodes()).stream().filter(a -> !a.equals(self)).toList();
    if (others.isEmpty()) {
      cluster.manager().tell(Join.create(self));
    } else {
      cluster.manager().tell(new JoinSeedNodes(others));
    }
  }

  /**
   * Leaves the cluster gracefully; completes once this rig has been removed (at once when it
   * never joined). Pekko then runs the actor system's coordinated shutdown.
   */
  public static CompletionStage<Done> leave(ActorSystem<?> system) {
    Cluster cluster = Cluster.get(system);
    CompletableFuture<Done> removed = new CompletableFuture<>();
    if (cluster.selfMember().status() == MemberStatus.removed()) {
      removed.complete(Done.getInstance());
      return removed;
    }
    org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system))
        .registerOnMemberRemoved(() -> removed.complete(Done.getInstance()));
    cluster.manager().tell(Leave.create(cluster.selfMember().address()));
    return removed;
  }

  private static List<Address> addresses(ActorSystem<?> system, List<RigSettings.SeedNode> seeds) {
    return seeds.stream().map(s -> new Address("pekko", system.name(), s.host(), s.port())).toList();
  }
}
