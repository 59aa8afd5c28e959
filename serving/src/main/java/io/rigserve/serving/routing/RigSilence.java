package io.rigserve.serving.routing;

import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether one rig has gone silent for this gateway: an attempt there timed out, and no stage on
 * that rig answered while it waited. A rig that answers nothing is dead or cut off, not slow in
 * one replica, so all its replicas leave routing at once, at the first time-out, instead of one by
 * one as each replica's breaker opens. It is back once it answers a stage or an RTT probe after
 * it fell silent; while nothing is known of its probes, after the breakers' cool-down.
 */
public final class RigSilence {

  private volatile long lastAnswerNanos = System.nanoTime() - Long.MAX_VALUE / 2;
  /** When the rig fell silent; null while it is not. */
  private volatile Instant silentSince;
  private volatile long silentUntilNanos;

  /** A stage on the rig answered (success or a failure it reported): it is alive. */
  void answered() {
    lastAnswerNanos = System.nanoTime();
    silentSince = null;
  }

  /** An attempt sent at {@code sentNanos} got no answer in time: silent, unless the rig answered another stage meanwhile. */
  void timedOut(long sentNanos, long coolDownNanos) {
    if (lastAnswerNanos - sentNanos >= 0) return;
    silentUntilNanos = System.nanoTime() + coolDownNanos;
    silentSince = Instant.now();
  }

  /**
   * Whether stages may go to the rig: it is not silent, or it answered an RTT probe after it fell
   * silent ({@code rigLastHeard}, asked only while it is silent), or, with nothing known of its
   * probes, the cool-down has passed.
   */
  public boolean heard(Supplier<Optional<Instant>> rigLastHeard) {
    Instant since = silentSince;
    if (since == null) return true;
    return rigLastHeard.get().map(t -> t.isAfter(since)).orElseGet(() -> System.nanoTime() >= silentUntilNanos);
  }

  /** True from a time-out the rig did not answer around until it answers again. */
  public boolean silent() {
    return silentSince != null;
  }
}
