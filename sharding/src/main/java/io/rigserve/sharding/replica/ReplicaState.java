package io.rigserve.sharding.replica;

/** Where a replica is in its life, as the replica directory shows it. */
public enum ReplicaState {
  /** No rig of its region can take it; the reason says why (capacity short, no rigs). */
  UNPLACED,
  /** Assigned to a rig that does not run it yet (starting there, or moving there). */
  PLACING,
  /** Running on its rig and opening its runtime; runs wait in its queue. */
  LOADING,
  /** Serving runs. */
  READY,
  /** Its runtime failed to open; it tries again after a back-off, and answers NOT_LOADED meanwhile. */
  FAILED
}
