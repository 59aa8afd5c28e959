package io.rigserve.serving.routing;

import java.time.Duration;
import java.util.OptionalDouble;

/**
 * How long one attempt of a stage waits for its replica before the stage is replayed elsewhere:
 * long enough for the replica's usual answer, short enough that a silent one costs little.
 */
final class AttemptTimeout {

  /** Observed answers make the wait for a replica short; a floor keeps a slow start from failing over. */
  static final Duration MIN = Duration.ofMillis(500);

  private AttemptTimeout() {}

  /**
   * For a replica {@code rttMillis} away whose service time is expected to be {@code serviceMillis}:
   * two round trips and ten service times, at least {@link #MIN}, at most {@code ceiling}; the
   * ceiling itself while no service time is known.
   */
  static Duration forReplica(double rttMillis, OptionalDouble serviceMillis, Duration ceiling) {
    if (serviceMillis.isEmpty()) return ceiling;
    long millis = (long) (2 * rttMillis + 10 * serviceMillis.getAsDouble());
    Duration expected = Duration.ofMillis(Math.max(millis, MIN.toMillis()));
    return expected.compareTo(ceiling) < 0 ? expected : ceiling;
  }

  /** While another replica could take the stage, an attempt leaves it half the time left for a replay. */
  static Duration withinDeadline(Duration timeout, Duration timeLeft, boolean anotherReplicaRemains) {
    if (!anotherReplicaRemains) return timeout;
    Duration half = timeLeft.dividedBy(2);
    return half.compareTo(timeout) < 0 ? half : timeout;
  }
}
