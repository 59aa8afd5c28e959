package io.rigserve.serving;

import io.rigserve.serving.TestRig.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Client threads sending one inference request after another to a gateway until stopped
 * (at most 90 s), counting answers and keeping every failure.
 */
final class SteadyLoad {

  private static final Duration LIMIT = Duration.ofSeconds(90);

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger answered = new AtomicInteger();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final List<Thread> threads = new ArrayList<>();

  static SteadyLoad start(TestRig gateway, String path, String body, int clients) {
    SteadyLoad load = new SteadyLoad();
    for (int c = 0; c < clients; c++) {
      Thread t = new Thread(() -> {
        long until = System.nanoTime() + LIMIT.toNanos();
        while (load.running.get() && System.nanoTime() < until) {
          try {
            Reply reply = gateway.post(path, body);
            if (reply.status() == 200) load.answered.incrementAndGet();
            else load.failures.add(reply.status() + " " + reply.body());
          } catch (Exception e) {
            load.failures.add(e.toString());
          }
        }
      });
      load.threads.add(t);
      t.start();
    }
    return load;
  }

  /** Stops the clients and waits for their last requests. */
  SteadyLoad stop() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) t.join(30_000);
    return this;
  }

  int answered() {
    return answered.get();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }
}
