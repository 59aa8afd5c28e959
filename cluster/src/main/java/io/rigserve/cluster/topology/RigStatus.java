package io.rigserve.cluster.topology;

import org.apache.pekko.cluster.MemberStatus;

/** A member's status in the cluster, with the names Pekko Management shows. */
public enum RigStatus {
  JOINING("Joining"),
  WEAKLY_UP("WeaklyUp"),
  UP("Up"),
  LEAVING("Leaving"),
  EXITING("Exiting"),
  DOWN("Down"),
  REMOVED("Removed"),
  PREPARING_FOR_SHUTDOWN("PreparingForShutdown"),
  READY_FOR_SHUTDOWN("ReadyForShutdown");

  private final String label;

  RigStatus(String label) {
    this.label = label;
  }

  /** The name used in JSON and logs ("Up", "WeaklyUp", ...). */
  public String label() {
    return label;
  }

  /** Down, exiting or removed: the rig is on its way out and serves nothing. */
  public boolean isLeavingForGood() {
    return this == DOWN || this == EXITING || this == REMOVED;
  }

  public static RigStatus of(MemberStatus status) {
    for (RigStatus s : values()) {
      if (s.label.equals(status.toString())) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown member status " + status);
  }
}
