package io.rigserve.sharding.placement;

/** A rig a placement controller may use: its address, zone and model-memory budget. */
public record RigCapacity(String address, String zone, long budgetBytes) {}
