package io.rigserve.sharding.replica;

import java.util.Optional;

/** Where a replica entity finds the runtime of its partition on this rig. */
@FunctionalInterface
public interface PartitionRuntimes {

  /** The loaded runtime for this replica, or empty when this rig has none for it. */
  Optional<PartitionRuntime> find(ReplicaId id);
}
