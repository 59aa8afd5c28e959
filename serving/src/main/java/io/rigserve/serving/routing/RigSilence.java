package io.rigserve.serving.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Whether one rig has gone silent for this gateway: a stage sent there is overdue (twice the rig's
 * usual answer time, plus a margin) or timed out, and no stage on that rig answered since it was
 * sent. A rig that answers nothing is dead or cut off, not slow in one replica, so all its
 * replicas leave routing at once, before the first attempt there even times out, instead of one
 * by one as each replica's breaker opens. A live rig ends its silence by answering the overdue
 * stage; any rig by answering an RTT probe after it fell silent; one nothing is known of by its
 * probes, after the breakers' cool-down.
 */
public final class RigSilence {

  /** A stage is overdue after this many of the rig's usual answer times, plus {@link #OVERDUE_MARGIN_MILLIS}. */
  static final double OVERDUE_FACTOR = 2.0;
  /** Keeps a rig that answers in a millisecond from counting as silent at every pause of its JVM. */
  static final double OVERDUE_MARGIN_MILLIS = 200.0;

  private static final long NONE = Long.MIN_VALUE;
  private static final double EWMA_WEIGHT = 0.2;

  private final long coolDownNanos;
  private volatile long lastAnswerNanos = NONE;
  /** When the first stage sent since the rig's last answer left; {@link #NONE} when nothing is waiting. */
  private final AtomicLong waitingSinceNanos = new AtomicLong(NONE);
  /** EWMA of the rig's answer times, round trip included; negative before its first answer. */
  private volatile double answerMillis = -1;
  /** When the rig fell silent; null while it is not. */
  private volatile Instant silentSince;
  private volatile long silentUntilNanos;

  RigSilence(Duration coolDown) {
    this.coolDownNanos = coolDown.toNanos();
  }

  /** A stage left for the rig at {@code nowNanos}. */
  void sent(long nowNanos) {
    waitingSinceNanos.compareAndSet(NONE, nowNanos);
  }

  /** A stage on the rig answered (success or a failure it reported) after {@code millis}: it is alive. */
  void answered(long nowNanos, double millis) {
    lastAnswerNanos = nowNanos;
    waitingSinceNanos.set(NONE);
    silentSince = null;
    double previous = answerMillis;
    answerMillis = previous < 0 ? millis : previous + EWMA_WEIGHT * (millis - previous);
  }

  /** An attempt sent at {@code sentNanos} got no answer in time: silent, unless the rig answered another stage meanwhile. */
  void timedOut(long sentNanos, long nowNanos) {
    long last = lastAnswerNanos;
    if (last != NONE && last - sentNanos >= 0) return;
    fellSilent(nowNanos);
  }

  /**
   * Whether stages may go to the rig at {@code nowNanos}: it is not silent, or it answered an RTT
   * probe after it fell silent ({@code rigLastHeard}, asked only while it is silent), or, with
   * nothing known of its probes, the cool-down has passed.
   */
  public boolean heard(long nowNanos, Supplier<Optional<Instant>> rigLastHeard) {
    long waiting = waitingSinceNanos.get();
    double usual = answerMillis;
    if (waiting != NONE && usual >= 0
        && nowNanos - waiting > (long) ((OVERDUE_FACTOR * usual + OVERDUE_MARGIN_MILLIS) * 1e6)
        && waitingSinceNanos.compareAndSet(waiting, NONE)) {
      fellSilent(nowNanos);
    }
    Instant since = silentSince;
    if (since == null) return true;
    return rigLastHeard.get().map(t -> t.isAfter(since)).orElseGet(() -> nowNanos - silentUntilNanos >= 0);
  }

  /** True from a stage the rig let go overdue or time out until it answers again. */
  public boolean silent() {
    return silentSince != null;
  }

  private void fellSilent(long nowNanos) {
    silentUntilNanos = nowNanos + coolDownNanos;
    silentSince = Instant.now();
  }
}
