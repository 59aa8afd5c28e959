package io.rigserve.sharding.placement;

import io.rigserve.sharding.replica.ReplicaId;
import java.util.Map;
import java.util.SortedMap;

/**
 * One region's assignment of replicas to rigs, and the replicas it could not place with the
 * reason (capacity short, no rigs). Entity ids are {@code model@version/p{i}/r{j}}.
 */
public record Placement(SortedMap<ReplicaId, String> assigned, SortedMap<ReplicaId, String> unplaced) {

  public Placement {
    assigned = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(assigned));
    unplaced = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(unplaced));
  }

  public Map<ReplicaId, String> assignedTo(String address) {
    return java.util.Collections.unmodifiableMap(assigned.entrySet().stream()
        .filter(e -> e.getValue().equals(address))
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
  }
}
