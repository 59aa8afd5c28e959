package io.rigserve.sharding.replica;

import java.util.Comparator;
import java.util.List;

/**
 * Every replica of every region as this rig knows it at one moment, ordered by region and id.
 * Built from Distributed Data, so it trails the cluster by about one gossip interval.
 */
public record DirectorySnapshot(List<ReplicaLocation> replicas) {

  public static final DirectorySnapshot EMPTY = new DirectorySnapshot(List.of());

  public DirectorySnapshot {
    replicas = replicas.stream()
        .sorted(Comparator.comparing(ReplicaLocation::region).thenComparing(ReplicaLocation::id))
        .toList();
  }

  /** The replicas of one partition of one model version, in every region. */
  public List<ReplicaLocation> ofPartition(String model, String version, int partition) {
    return replicas.stream()
        .filter(r -> r.id().model().equals(model) && r.id().version().equals(version)
            && r.id().partition() == partition)
        .toList();
  }

  /** The replicas placed on or running on the rig at {@code address}. */
  public List<ReplicaLocation> onRig(String address) {
    return replicas.stream().filter(r -> r.address().equals(address)).toList();
  }
}
