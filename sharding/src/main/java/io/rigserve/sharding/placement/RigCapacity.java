package io.rigserve.sharding.placement;

/**
 * A rig a placement controller may use: its address, zone, model-memory budget and owner (replicas
 * of one partition go to different owners where the region has them, so they can check each other).
 */
public record RigCapacity(String address, String zone, long budgetBytes, String owner) {

  /** A rig whose owner is not known counts as its own owner. */
  public RigCapacity(String address, String zone, long budgetBytes) {
    this(address, zone, budgetBytes, address);
  }
}
