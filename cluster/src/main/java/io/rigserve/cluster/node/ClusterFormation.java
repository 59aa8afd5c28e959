package io.rigserve.cluster.node;

import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;

/** Joins a rig to its cluster: to the configured seeds, or to itself when it has none. */
public final class ClusterFormation {

  private ClusterFormation() {}

  public static void join(ActorSystem<?> system, RigSettings rig) {
    Cluster cluster = Cluster.get(system);
    if (rig.seedNodes().isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    } else {
      List<Address> seeds =
          rig.seedNodes().stream()
              .map(s -> new Address("pekko", system.name(), s.host(), s.port()))
              .toList();
      cluster.manager().tell(new JoinSeedNodes(seeds));
    }
  }
}
