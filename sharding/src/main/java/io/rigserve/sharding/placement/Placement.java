package io.rigserve.sharding.placement;

import io.rigserve.sharding.replica.ReplicaId;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One region's assignment of replicas to rigs, and the replicas it could not place with the
 * reason (capacity short, no rigs). Entity ids are {@code model@version/p{i}/r{j}}.
 */
public record Placement(SortedMap<ReplicaId, String> assigned, SortedMap<ReplicaId, String> unplaced) {

  public Placement {
    assigned = Collections.unmodifiableSortedMap(new TreeMap<>(assigned));
    unplaced = Collections.unmodifiableSortedMap(new TreeMap<>(unplaced));
  }
}
