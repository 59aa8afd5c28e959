package io.rigserve.sharding.placement;

import io.rigserve.sharding.replica.ReplicaId;
import io.rigserve.sharding.replica.ReplicaState;
import io.rigserve.sharding.replica.ReplicaStatus;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.cluster.sharding.external.javadsl.ExternalShardAllocationClient;

/**
 * What one region's controller has told Cluster Sharding about where each replica's shard
 * belongs (the external allocation map), and what it tells it next. Owned by the controller
 * actor: not thread-safe.
 *
 * <p>A replica leaving a rig that is unreachable or gone is told only once it runs on its new rig
 * (the new rig's warm-up starts it there as soon as sharding has freed it). Told earlier, the
 * coordinator would rebalance it away from the dead rig, waiting a whole {@code handoff-timeout}
 * for that rig's acknowledgement; a rebalance started while the coordinator is still removing
 * the rig never gets it. Meanwhile the shard's requests wait.
 */
final class ReplicaAllocation {

  private final ExternalShardAllocationClient client;
  private final Map<String, String> told = new HashMap<>();

  ReplicaAllocation(ExternalShardAllocationClient client) {
    this.client = client;
  }

  /** What a previous controller of the region told sharding (it allocated what it placed). */
  void assume(String entityId, String address) {
    told.put(entityId, address);
  }

  /** These were not written: they are told again next time. */
  void forget(Set<String> entityIds) {
    entityIds.forEach(told::remove);
  }

  /** Locations handed to sharding in one write; {@code written} completes when it is stored. */
  record Told(Set<String> entityIds, CompletionStage<Done> written) {}

  /**
   * Writes the locations that changed and may be told now; empty when there are none.
   *
   * @param usable addresses of the region's Up and reachable rigs
   * @param statuses the region's replica map
   */
  Optional<Told> tell(
      Map<ReplicaId, String> assigned, Set<String> usable, Map<String, ReplicaStatus> statuses) {
    Map<String, Address> changed = new HashMap<>();
    assigned.forEach((id, address) -> {
      String before = told.get(id.entityId());
      if (address.equals(before)) return;
      ReplicaStatus status = statuses.get(id.entityId());
      boolean runsThere = status != null && status.address().equals(address) && status.state() != ReplicaState.PLACING;
      if (before == null || usable.contains(before) || runsThere) {
        changed.put(id.entityId(), AddressFromURIString.parse(address));
        told.put(id.entityId(), address);
      }
    });
    if (changed.isEmpty()) return Optional.empty();
    return Optional.of(new Told(Set.copyOf(changed.keySet()), client.setShardLocations(changed)));
  }
}
