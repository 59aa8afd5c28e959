package io.rigserve.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/** The replica dispatcher has as many threads as one replica may run at once: one setting, not two. */
class ReplicaThreadsTest {

  private static final String POOL = "rigserve.replica.dispatcher.thread-pool-executor.fixed-pool-size";

  @Test
  void byDefaultARigRunsOneReplicaRunPerCoreOnOneThreadPerCore() {
    Config derived = Rig.withDerivedSettings(ConfigFactory.load());
    assertEquals(Runtime.getRuntime().availableProcessors(), derived.getInt(POOL));
  }

  @Test
  void theDispatcherRunsExactlyMaxConcurrentRunsAtOnce() throws Exception {
    Config derived = Rig.withDerivedSettings(ConfigFactory.parseString(
        "rigserve.replica.max-concurrent-runs = 3\npekko.actor.provider = local").withFallback(ConfigFactory.load()));
    assertEquals(3, derived.getInt(POOL));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "replica-threads", derived);
    try {
      Executor replicas = system.dispatchers().lookup(DispatcherSelector.fromConfig("rigserve.replica.dispatcher"));
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch threeRunning = new CountDownLatch(3);
      AtomicInteger started = new AtomicInteger();
      for (int i = 0; i < 4; i++) {
        replicas.execute(() -> {
          started.incrementAndGet();
          threeRunning.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
      }
      assertTrue(threeRunning.await(10, TimeUnit.SECONDS), "three runs at once");
      assertFalse(waitFor(() -> started.get() > 3, 500), "a fourth run waits for a thread");
      release.countDown();
      assertTrue(waitFor(() -> started.get() == 4, 10_000), "the fourth runs once a thread is free");
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static boolean waitFor(BooleanSupplier condition, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) return true;
      Thread.sleep(20);
    }
    return condition.getAsBoolean();
  }
}
