package io.rigserve.serving.drain;

import io.rigserve.sharding.replica.DirectorySnapshot;
import io.rigserve.sharding.replica.ReplicaLocation;
import java.util.List;

/**
 * Where the drain of one rig stands: {@code serving} (not draining), {@code draining} (replicas
 * still placed on or running on it, listed), or {@code empty} (nothing left: every replica it had
 * runs elsewhere and its last runs have answered).
 */
public record DrainReport(String rig, String state, List<ReplicaLocation> remaining) {

  public static DrainReport of(String rig, boolean draining, DirectorySnapshot directory) {
    List<ReplicaLocation> remaining = directory.onRig(rig);
    String state = !draining ? "serving" : remaining.isEmpty() ? "empty" : "draining";
    return new DrainReport(rig, state, remaining);
  }

  public boolean empty() {
    return state.equals("empty");
  }
}
