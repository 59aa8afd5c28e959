package io.rigserve.sharding.replica;

import com.typesafe.config.Config;
import io.rigserve.cluster.settings.InvalidSetting;
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
    Config c = config.getConfig("rigserve.replica");
    int concurrent = c.getInt("max-concurrent-runs");
    if (concurrent <= 0) {
      concurrent = Runtime.getRuntime().availableProcessors();
    }
    int queued = c.getInt("max-queued-runs");
    if (queued < 0) {
      throw new InvalidSetting("rigserve.replica.max-queued-runs", queued, "0 or more");
    }
    Duration retryMin = c.getDuration("load-retry-min");
    Duration retryMax = c.getDuration("load-retry-max");
    if (retryMin.isNegative() || retryMin.isZero() || retryMax.compareTo(retryMin) < 0) {
      throw new InvalidSetting("rigserve.replica.load-retry-min", retryMin,
          "a positive duration no longer than load-retry-max (" + retryMax + ")");
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
