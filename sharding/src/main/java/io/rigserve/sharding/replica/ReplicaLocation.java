package io.rigserve.sharding.replica;

/**
 * One replica in the replica directory.
 *
 * @param region the region (data center) whose replica this is; the same entity id exists once per region
 * @param address the rig it is placed on or runs on; empty when it is {@link ReplicaState#UNPLACED}
 * @param reason why it is in this state (why it failed, why it cannot be placed); empty when there is nothing to say
 */
public record ReplicaLocation(ReplicaId id, String region, String address, ReplicaState state, String reason) {

  public boolean isReady() {
    return state == ReplicaState.READY;
  }
}
