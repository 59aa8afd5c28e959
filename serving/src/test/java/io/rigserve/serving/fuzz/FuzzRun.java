package io.rigserve.serving.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One surface's fuzz run: how many inputs (at least {@code rigserve.fuzz.count}, 10 000 by
 * default), within how long ({@code rigserve.fuzz.seconds} per surface), from which seed
 * ({@code rigserve.fuzz.seed}, logged, random by default), on how many client threads. Input
 * {@code i} comes from its own generator derived from seed and {@code i}, so any single input
 * is replayed by seed and index, whatever the threads did.
 */
final class FuzzRun {

  /** Longest any single input may take to be answered before it counts as a hang. */
  static final Duration PATIENCE = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(FuzzRun.class);

  /** What the run does with input {@code index}; it records what went wrong in {@code findings}. */
  interface Case {
    void run(int index, HostileInputs inputs, Findings findings) throws Exception;
  }

  final String surface;
  final long seed;
  final int count;
  final Duration budget;
  final int threads;
  final Findings findings = new Findings();

  private FuzzRun(String surface, long seed, int count, Duration budget, int threads) {
    this.surface = surface;
    this.seed = seed;
    this.count = count;
    this.budget = budget;
    this.threads = threads;
  }

  static FuzzRun of(String surface) {
    long seed = Long.getLong("rigserve.fuzz.seed", new Random().nextLong());
    return new FuzzRun(surface, seed, Integer.getInteger("rigserve.fuzz.count", 10_000),
        Duration.ofSeconds(Long.getLong("rigserve.fuzz.seconds", 60)), Integer.getInteger("rigserve.fuzz.threads", 4));
  }

  /** The generator of input {@code index}: independent of every other input's. */
  HostileInputs inputs(int index) {
    return new HostileInputs(new Random(seed * 0x9E3779B97F4A7C15L + index));
  }

  /**
   * Sends every input through {@code fuzzCase}, calling {@code checkpoint} (the rig still answers
   * valid requests with the same bytes) every {@code checkEvery} inputs and at the end, and stops at the count or the budget, whichever comes
   * first. An exception out of a case (the rig refusing connections, a client that cannot finish)
   * is a finding too.
   */
  int run(Case fuzzCase, int checkEvery, Runnable checkpoint) throws Exception {
    log.info("fuzz {}: seed {} ({} inputs, budget {}, {} threads); replay with -Drigserve.fuzz.seed={};"
        + " inputs in flight if the JVM dies: the last lines of target/fuzz-{}-journal.txt", surface, seed, count, budget,
        threads, seed, surface);
    long start = System.nanoTime();
    long deadline = start + budget.toNanos();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicReference<Throwable> checkFailure = new AtomicReference<>();
    // Inputs are journaled before they are sent: if one kills the JVM, the last lines name it.
    Path journalFile = Path.of("target", "fuzz-" + surface + "-journal.txt");
    Files.createDirectories(journalFile.getParent());
    FileChannel journal = FileChannel.open(journalFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
    journal.write(ByteBuffer.wrap(("seed " + seed + "\n").getBytes(StandardCharsets.US_ASCII)));
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "fuzz-" + surface);
      t.setDaemon(true);
      return t;
    });
    try {
      Future<?>[] workers = new Future<?>[threads];
      for (int w = 0; w < threads; w++) {
        workers[w] = pool.submit(() -> {
          int i;
          while ((i = next.getAndIncrement()) < count && System.nanoTime() < deadline && checkFailure.get() == null) {
            try {
              journal.write(ByteBuffer.wrap(("#" + i + "\n").getBytes(StandardCharsets.US_ASCII)));
              fuzzCase.run(i, inputs(i), findings);
            } catch (Exception e) {
              findings.add("the client could not complete an exchange: " + e.getClass().getSimpleName(), i,
                  String.valueOf(e.getMessage()));
            }
            int n = done.incrementAndGet();
            if (n % checkEvery == 0) {
              try {
                checkpoint.run();
              } catch (Throwable t) {
                checkFailure.compareAndSet(null, new AssertionError(
                    "after " + n + " inputs (up to #" + i + "): " + t.getMessage(), t));
              }
            }
          }
        });
      }
      for (Future<?> w : workers) w.get(budget.toSeconds() + 120, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
      journal.close();
    }
    if (checkFailure.get() == null) {
      try {
        checkpoint.run();
      } catch (Throwable t) {
        checkFailure.set(new AssertionError("after all " + done.get() + " inputs: " + t.getMessage(), t));
      }
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    int sent = done.get();
    log.info("fuzz {}: seed {}: {} inputs in {} ms, {} failures{}", surface, seed, sent, millis, findings.total(),
        findings.report());
    String replay = " (seed " + seed + ", replay with -Drigserve.fuzz.seed=" + seed + ")";
    if (checkFailure.get() != null) {
      throw new AssertionError("the rig stopped answering during the " + surface + " fuzz" + replay + ": "
          + checkFailure.get().getMessage() + findings.report(), checkFailure.get());
    }
    assertTrue(findings.isEmpty(), surface + ": " + findings.total() + " of " + sent + " hostile inputs failed" + replay
        + findings.report());
    assertTrue(sent >= count, surface + ": only " + sent + " of " + count + " inputs were answered within " + budget + replay);
    return sent;
  }
}
