package io.rigserve.sharding.replica;

import java.util.concurrent.CompletionStage;

/**
 * Where a replica entity gets the runtime of its partition on this rig. A replica opens its
 * runtime when it starts (it may take long: fetching the partition file, building a session) and
 * closes it when it stops, so a rig holds in memory only the replicas placed on it.
 */
public interface PartitionRuntimes {

  /**
   * Opens the runtime of this replica on this rig. Completes with the runtime, or fails with a
   * message fit for an operator (the replica shows it as the reason it failed, and tries again).
   * Called on the replica's actor thread: return at once and do long work elsewhere.
   */
  CompletionStage<PartitionRuntime> open(ReplicaId id);

  /** Releases what {@link #open} took for this replica; the replica is stopping. */
  void close(ReplicaId id);
}
