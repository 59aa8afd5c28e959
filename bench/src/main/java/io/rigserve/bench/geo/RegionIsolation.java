package io.rigserve.bench.geo;

import java.io.IOException;

/**
 * A fault that takes a region away from the others while its rigs keep running, until it is let
 * back: the others down it, and on its return its rigs learn they were downed and rebuild.
 */
public enum RegionIsolation {

  /** Every byte between the region and the others is dropped; its own clients still reach it. */
  CUT("cut", "is cut off from the other regions, then the cut heals", true),
  /** The region's link goes down: peers' connects and sends hang, and its own clients are cut off too. */
  VANISH("vanished", "loses its network (its link down: connects hang), then it returns", false);

  private final String phase;
  private final String description;
  private final boolean ownClientsReachIt;

  RegionIsolation(String phase, String description, boolean ownClientsReachIt) {
    this.phase = phase;
    this.description = description;
    this.ownClientsReachIt = ownClientsReachIt;
  }

  /** The name of the phase from the fault until the others have downed the region. */
  public String phase() {
    return phase;
  }

  String describe(String region) {
    return region + " " + description;
  }

  /** Whether the region's own clients still reach its gateway while it is isolated. */
  boolean ownClientsReachIt() {
    return ownClientsReachIt;
  }

  void apply(GeoCluster cluster, String region) throws IOException, InterruptedException {
    if (this == CUT) cluster.cut(region); else cluster.vanish(region);
  }

  void undo(GeoCluster cluster, String region) throws IOException, InterruptedException {
    if (this == CUT) cluster.heal(); else cluster.reappear(region);
  }
}
