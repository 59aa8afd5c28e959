package io.rigserve.cluster.topology;

import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** The latest topology view of this rig, for code that must not wait for an ask per request. */
public final class TopologyCache {

  private volatile TopologyView view;

  private TopologyCache() {}

  public static TopologyCache follow(ActorSystem<?> system, ActorRef<RegionTopology.Command> topology) {
    TopologyCache cache = new TopologyCache();
    ActorRef<TopologyView> listener = system.systemActorOf(
        Behaviors.<TopologyView>receiveMessage(v -> {
          cache.view = v;
          return Behaviors.same();
        }), "rigserve-topology-cache", Props.empty());
    topology.tell(new RegionTopology.SubscribeTopology(listener));
    return cache;
  }

  public Optional<TopologyView> view() {
    return Optional.ofNullable(view);
  }

}
