package io.rigserve.sharding.replica;

import com.typesafe.config.Config;
import io.rigserve.cluster.settings.SettingsReader;
import java.time.Duration;

/**
 * Limits of one partition replica, from {@code rigserve.replica}.
 *
 * @param loadRetryMin wait before the first new attempt after a failed load; doubles on each failure
 * @param loadRetryMax longest wait between load attempts
 */
public record ReplicaSettings(
    int maxConcurrentRuns, int maxQueuedRuns, String dispatcher, Duration loadRetryMin, Duration loadRetryMax) {

  public static ReplicaSettings from(Config config) {
    SettingsReader s = new SettingsReader(config, "rigserve.replica");
    int concurrent = s.integer("max-concurrent-runs", Integer.MIN_VALUE, Integer.MAX_VALUE, "a whole number");
    if (concurrent <= 0) {
      concurrent = Runtime.getRuntime().availableProcessors();
    }
    int queued = s.integer("max-queued-runs", 0, Integer.MAX_VALUE, "0 or more");
    Duration retryMin = s.duration("load-retry-min");
    Duration retryMax = s.duration("load-retry-max");
    if (retryMax.compareTo(retryMin) < 0) {
      throw s.invalid("load-retry-min", retryMin, "a positive duration no longer than load-retry-max (" + retryMax + ")");
    }
    return new ReplicaSettings(concurrent, queued, "rigserve.replica.dispatcher", retryMin, retryMax);
  }

  /** The wait before load attempt {@code failures + 1}: doubling from the minimum, capped. */
  public Duration loadRetryAfter(int failures) {
    Duration wait = loadRetryMin;
    for (int i = 1; i < failures && wait.compareTo(loadRetryMax) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(loadRetryMax) > 0 ? loadRetryMax : wait;
  }
}
