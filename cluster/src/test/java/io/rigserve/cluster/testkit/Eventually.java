package io.rigserve.cluster.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded waiting for a condition or an assertion: tests never loop forever. */
public final class Eventually {

  private static final long POLL_MILLIS = 100;

  private Eventually() {}

  /** Waits until {@code condition} holds; fails naming {@code what} when {@code max} has passed. */
  public static void await(Duration max, String what, BooleanSupplier condition) {
    assertWithin(max, () -> {
      if (!condition.getAsBoolean()) {
        throw new AssertionError("not yet: " + what);
      }
    });
  }

  /** Retries {@code assertion} until it passes; rethrows its last failure when {@code max} has passed. */
  public static void assertWithin(Duration max, Runnable assertion) {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError | RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("still failing after " + max.toMillis() + " ms: " + e.getMessage(), e);
        }
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting", e);
      }
    }
  }
}
