package io.rigserve.serving.routing;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What this gateway has seen of one replica: stages sent, answered, failed and in flight, an
 * EWMA of its service time (answer time less the round trip to its rig), and a circuit breaker that keeps the replica out of routing for a
 * cool-down after several failures in a row. After the cool-down, stages go there again only once
 * its rig has shown a sign of life (answered an RTT probe since the breaker opened): a dead rig
 * gets no trial stages, only a live one that failed does. A success closes the breaker.
 */
public final class ReplicaStats {

  private static final double EWMA_WEIGHT = 0.2;

  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger failuresInARow = new AtomicInteger();
  private volatile double ewmaMillis = -1;
  private volatile long openUntilNanos;
  /** When the breaker last opened; null while it is closed. */
  private volatile Instant openedAt;

  void started() {
    sent.incrementAndGet();
    inFlight.incrementAndGet();
  }

  void succeeded(double millis) {
    inFlight.decrementAndGet();
    succeeded.incrementAndGet();
    failuresInARow.set(0);
    openedAt = null;
    double previous = ewmaMillis;
    ewmaMillis = previous < 0 ? millis : previous + EWMA_WEIGHT * (millis - previous);
  }

  void failed(int breakerFailures, long coolDownNanos) {
    inFlight.decrementAndGet();
    failed.incrementAndGet();
    if (failuresInARow.incrementAndGet() >= breakerFailures) {
      openUntilNanos = System.nanoTime() + coolDownNanos;
      openedAt = Instant.now();
      failuresInARow.set(0);
    }
  }

  /** The replica answered, but not for a fault of its own (bad input, full queue). */
  void answered() {
    inFlight.decrementAndGet();
  }

  /**
   * Whether stages may go to the replica: the breaker is closed, or its cool-down has passed and
   * the rig was heard from after it opened ({@code rigLastHeard} empty: nothing is known, so the
   * cool-down alone decides). {@code rigLastHeard} is asked only while the breaker is open.
   */
  public boolean available(Supplier<Optional<Instant>> rigLastHeard) {
    Instant opened = openedAt;
    if (opened == null) return true;
    return System.nanoTime() >= openUntilNanos && rigLastHeard.get().map(t -> t.isAfter(opened)).orElse(true);
  }

  /** True from the failure that opened the breaker until a stage succeeds there again. */
  public boolean breakerOpen() {
    return openedAt != null;
  }

  /** Expected time for one more stage: the round trip plus the queue this gateway has put there. */
  public double expectedMillis(double rttMillis) {
    double service = ewmaMillis < 0 ? 1.0 : ewmaMillis;
    return rttMillis + (inFlight.get() + 1) * service;
  }

  public long sent() {
    return sent.get();
  }

  public long succeeded() {
    return succeeded.get();
  }

  public long failed() {
    return failed.get();
  }

  public int inFlight() {
    return inFlight.get();
  }

  public double ewmaMillis() {
    return Math.max(ewmaMillis, 0);
  }
}
