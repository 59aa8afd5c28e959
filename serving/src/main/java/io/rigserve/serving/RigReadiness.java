package io.rigserve.serving;

import io.rigserve.serving.deploy.ModelDeployments;
import io.rigserve.serving.model.ModelCatalog;
import io.rigserve.sharding.placement.Deployment;
import io.rigserve.sharding.replica.ReplicaDirectory;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Whether this rig takes requests, answered from what it holds in memory (membership, the replica
 * directory, the deployments and the state of its own versions), never from its disk: health
 * checks, and clients held during a rebuild, ask it often.
 */
final class RigReadiness {

  private final Cluster cluster;
  private final ReplicaDirectory directory;
  private final ModelDeployments deployments;
  private final ModelCatalog catalog;
  private final String self;
  /** What the cluster deployed when this rig deployed its disk; null until it has. */
  private volatile Map<String, Deployment> deployedAtStart;

  RigReadiness(ActorSystem<?> system, ReplicaDirectory directory, ModelDeployments deployments, ModelCatalog catalog) {
    this.cluster = Cluster.get(system);
    this.directory = directory;
    this.deployments = deployments;
    this.catalog = catalog;
    this.self = cluster.selfMember().address().toString();
  }

  /** The rig has deployed its disk; the cluster deployed {@code deployed} then. */
  void diskDeployed(Map<String, Deployment> deployed) {
    deployedAtStart = Map.copyOf(deployed);
  }

  /**
   * Ready: Up in its cluster, its disk deployed, every replica placed on it loaded, and none of its
   * own versions still loading.
   */
  boolean ready() {
    return cluster.selfMember().status() == MemberStatus.up()
        && deployedAtStart != null
        && directory.snapshot().onRig(self).stream().allMatch(r -> r.isReady())
        && !deployments.loading();
  }

  /** Ready, and serving every model the cluster deployed when this rig joined (what a rebuilt rig waits for). */
  boolean servesTheCluster() {
    Map<String, Deployment> atStart = deployedAtStart;
    return ready() && atStart.values().stream().allMatch(d ->
        catalog.deployment(d.model(), d.version()).isPresent() && catalog.servable(d));
  }
}
