package io.rigserve.sharding.replica;

import io.rigserve.cluster.management.HostedReplicasSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Where every replica of every region is and in what state: the rig its region placed it on, and
 * what that rig reports (placing, loading, ready, failed), or why it could not be placed. For
 * routers and the admin view; reading it never blocks. One per actor system, kept current by a
 * {@link DirectoryFeed} that follows the placement and replica maps of every region with members.
 */
public final class ReplicaDirectory implements Extension {

  private static final Id ID = new Id();

  private volatile DirectorySnapshot snapshot = DirectorySnapshot.EMPTY;

  private ReplicaDirectory(ActorSystem<?> system) {
    system.systemActorOf(Behaviors.supervise(DirectoryFeed.create(this)).onFailure(SupervisorStrategy.restart()),
        "rigserve-replica-directory", Props.empty());
  }

  public static ReplicaDirectory get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** The directory as this rig knows it now. */
  public DirectorySnapshot snapshot() {
    return snapshot;
  }

  void update(DirectorySnapshot next) {
    snapshot = next;
  }

  /** The replicas each rig is placed with or runs, for the admin cluster view. */
  public HostedReplicasSource hostedReplicas() {
    return () -> {
      Map<Address, List<ReplicaLocation>> byRig = new HashMap<>();
      for (ReplicaLocation r : snapshot.replicas()) {
        if (!r.address().isEmpty()) {
          byRig.computeIfAbsent(AddressFromURIString.parse(r.address()), a -> new ArrayList<>()).add(r);
        }
      }
      return CompletableFuture.completedFuture(Map.copyOf(byRig));
    };
  }

  static final class Id extends ExtensionId<ReplicaDirectory> {
    @Override
    public ReplicaDirectory createExtension(ActorSystem<?> system) {
      return new ReplicaDirectory(system);
    }
  }
}
