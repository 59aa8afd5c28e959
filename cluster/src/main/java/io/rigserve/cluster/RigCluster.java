package io.rigserve.cluster;

import io.rigserve.cluster.downing.RegionDowning;
import io.rigserve.cluster.node.ClusterDiscovery;
import io.rigserve.cluster.node.ClusterFormation;
import io.rigserve.cluster.node.ClusterSettings;
import io.rigserve.cluster.node.RigLifecycle;
import io.rigserve.cluster.node.RigSettings;
import io.rigserve.cluster.topology.RegionTopology;
import io.rigserve.cluster.topology.RigIdentity;
import io.rigserve.cluster.topology.RigPeer;
import io.rigserve.cluster.topology.RttBoard;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * This rig's part of the cluster for one actor system: its peer endpoint, the region topology
 * (with RTT probing and the published region RTTs), region downing and the lifecycle that tells a downing from a stop. Built
 * once per actor system, before joining:
 *
 * <pre>
 *   Config config = RigConfig.forRig(ConfigFactory.load());
 *   ActorSystem&lt;Void&gt; system = ActorSystem.create(guardian, rig.systemName(), config);
 *   RigCluster cluster = RigCluster.start(system, RigSettings.from(config), ClusterSettings.from(config));
 *   cluster.join();
 * </pre>
 */
public final class RigCluster {

  private final ActorSystem<?> system;
  private final RigSettings rig;
  private final ClusterSettings settings;
  private final ClusterDiscovery discovery;
  private final ActorRef<RegionTopology.Command> topology;
  private final RigLifecycle lifecycle;

  private RigCluster(
      ActorSystem<?> system,
      RigSettings rig,
      ClusterSettings settings,
      ClusterDiscovery discovery,
      ActorRef<RegionTopology.Command> topology,
      RigLifecycle lifecycle) {
    this.system = system;
    this.rig = rig;
    this.settings = settings;
    this.discovery = discovery;
    this.topology = topology;
    this.lifecycle = lifecycle;
  }

  public static RigCluster start(ActorSystem<?> system, RigSettings rig, ClusterSettings settings) {
    RigLifecycle lifecycle = RigLifecycle.watch(system);
    system.systemActorOf(RigPeer.create(RigIdentity.of(rig)), RigPeer.NAME, Props.empty());
    ActorRef<RegionTopology.Command> topology =
        system.systemActorOf(restarting(RegionTopology.create(rig, settings)), "rigserve-topology", Props.empty());
    system.systemActorOf(
        restarting(RegionDowning.create(topology, settings)), "rigserve-region-downing", Props.empty());
    RttBoard.get(system).publish(topology, settings.rttPublishInterval());
    // The actor system's config is the rig's, checked by RigConfig.forRig before it started.
    ClusterDiscovery discovery = ClusterDiscovery.from(system.settings().config());
    return new RigCluster(system, rig, settings, discovery, topology, lifecycle);
  }

  private static <T> Behavior<T> restarting(Behavior<T> behavior) {
    return Behaviors.supervise(behavior).onFailure(SupervisorStrategy.restart());
  }

  /** Joins the configured seeds (or forms a new cluster without seeds). */
  public void join() {
    ClusterFormation.join(system, rig, discovery);
  }

  /** Joins the seeds other than this rig: for an actor system built after a downing. */
  public void rejoin() {
    ClusterFormation.rejoin(system, rig, discovery);
  }

  public ActorSystem<?> system() {
    return system;
  }

  public RigSettings rig() {
    return rig;
  }

  public ClusterSettings settings() {
    return settings;
  }

  /** How this rig finds the others (seeds, or Kubernetes API discovery with Cluster Bootstrap). */
  public ClusterDiscovery discovery() {
    return discovery;
  }

  /** Ask it {@link RegionTopology.GetTopology} for a {@code TopologyView}. */
  public ActorRef<RegionTopology.Command> topology() {
    return topology;
  }

  public RigLifecycle lifecycle() {
    return lifecycle;
  }
}
