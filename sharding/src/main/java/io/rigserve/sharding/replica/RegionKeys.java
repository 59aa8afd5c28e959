package io.rigserve.sharding.replica;

import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;

/**
 * Names of one region's entries in Distributed Data and of its shard allocation. Both are
 * cluster-wide (one replicator and one allocation map per name for all regions), so every name
 * carries the region.
 */
public final class RegionKeys {

  private RegionKeys() {}

  /** Entity id to the address of the rig its controller placed it on; written by the controller only. */
  public static Key<LWWMap<String, String>> placement(String region) {
    return LWWMapKey.create("placement-" + region);
  }

  /** Entity id to the reason no rig of the region could take it; written by the controller only. */
  public static Key<LWWMap<String, String>> unplaced(String region) {
    return LWWMapKey.create("unplaced-" + region);
  }

  /** Entity id to what the rig running it reports; each rig writes the replicas it runs or awaits. */
  public static Key<LWWMap<String, ReplicaStatus>> replicaStatus(String region) {
    return LWWMapKey.create("replica-status-" + region);
  }

  /** Name of the region's {@code ExternalShardAllocationStrategy} and of its location map. */
  public static String allocation(String region) {
    return "replicas-" + region;
  }
}
