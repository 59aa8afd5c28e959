package io.rigserve.sharding.replica;

import com.typesafe.config.Config;

/** Limits of one partition replica, from {@code rigserve.replica}. */
public record ReplicaSettings(int maxConcurrentRuns, int maxQueuedRuns, String dispatcher) {

  public static ReplicaSettings from(Config config) {
    Config c = config.getConfig("rigserve.replica");
    int concurrent = c.getInt("max-concurrent-runs");
    if (concurrent <= 0) {
      concurrent = Runtime.getRuntime().availableProcessors();
    }
    int queued = c.getInt("max-queued-runs");
    if (queued < 0) {
      throw new IllegalArgumentException(
          "invalid setting rigserve.replica.max-queued-runs = " + queued + ": expected 0 or more");
    }
    return new ReplicaSettings(concurrent, queued, "rigserve.replica.dispatcher");
  }
}
