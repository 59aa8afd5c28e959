package io.rigserve.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Closed-loop load: {@code concurrency} threads each call, wait for the answer and call again,
 * for a warm-up and then a bounded measured period. Latency goes into an HdrHistogram.
 */
final class LoadLoop {

  /** One blocking call; throws on failure. */
  interface Call {
    void run() throws Exception;
  }

  private LoadLoop() {}

  static LoadResult run(String target, int concurrency, Duration warmup, Duration measure, Call call)
      throws InterruptedException {
    Recorder recorder = new Recorder(3);
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long start = System.nanoTime();
    long measureFrom = start + warmup.toNanos();
    long end = measureFrom + measure.toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      Thread t = new Thread(() -> {
        long now;
        while ((now = System.nanoTime()) < end) {
          boolean success;
          try {
            call.run();
            success = true;
          } catch (Exception e) {
            success = false;
          }
          long took = System.nanoTime() - now;
          if (now >= measureFrom) {
            if (success) {
              recorder.recordValue(took);
              ok.incrementAndGet();
            } else {
              failed.incrementAndGet();
            }
          }
        }
      }, "load-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(warmup.plus(measure).toMillis() + 30_000);
    }
    Histogram histogram = recorder.getIntervalHistogram();
    return new LoadResult(target, concurrency, ok.get(), failed.get(), measure.toNanos() / 1e9, histogram);
  }
}
