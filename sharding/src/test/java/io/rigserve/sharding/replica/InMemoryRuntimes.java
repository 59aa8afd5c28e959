package io.rigserve.sharding.replica;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Partition runtimes held in memory, for tests: sharding knows nothing of ONNX, so a plain Java
 * runtime stands in for the engine. Opening takes {@code loadTime}; an id can be made to fail its
 * first openings, or to wait for the test to complete its opening.
 */
public final class InMemoryRuntimes implements PartitionRuntimes {

  private final Function<ReplicaId, PartitionRuntime> runtimes;
  private final Duration loadTime;
  private final Map<ReplicaId, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
  private final Map<ReplicaId, CompletableFuture<PartitionRuntime>> held = new ConcurrentHashMap<>();
  private final Map<ReplicaId, AtomicInteger> opened = new ConcurrentHashMap<>();
  private final List<ReplicaId> closed = new CopyOnWriteArrayList<>();

  /** @param runtimes the runtime of each id; null: this rig has none for it, opening fails */
  public InMemoryRuntimes(Function<ReplicaId, PartitionRuntime> runtimes, Duration loadTime) {
    this.runtimes = runtimes;
    this.loadTime = loadTime;
  }

  /** The next {@code times} openings of {@code id} fail. */
  public void failOpening(ReplicaId id, int times) {
    failuresLeft.put(id, new AtomicInteger(times));
  }

  /** The next opening of {@code id} completes only when the returned future is completed. */
  public CompletableFuture<PartitionRuntime> holdOpening(ReplicaId id) {
    CompletableFuture<PartitionRuntime> gate = new CompletableFuture<>();
    held.put(id, gate);
    return gate;
  }

  public int openings(ReplicaId id) {
    AtomicInteger n = opened.get(id);
    return n == null ? 0 : n.get();
  }

  /** Every id opened at least once. */
  public Set<ReplicaId> opened() {
    return Set.copyOf(opened.keySet());
  }

  public List<ReplicaId> closed() {
    return List.copyOf(closed);
  }

  @Override
  public CompletionStage<PartitionRuntime> open(ReplicaId id) {
    opened.computeIfAbsent(id, i -> new AtomicInteger()).incrementAndGet();
    CompletableFuture<PartitionRuntime> gate = held.remove(id);
    if (gate != null) {
      return gate;
    }
    AtomicInteger failures = failuresLeft.get(id);
    if (failures != null && failures.getAndDecrement() > 0) {
      return CompletableFuture.failedFuture(new IllegalStateException("partition file of " + id + " is corrupt"));
    }
    PartitionRuntime runtime = runtimes.apply(id);
    if (runtime == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("no runtime for " + id + " on this rig"));
    }
    return CompletableFuture.supplyAsync(() -> runtime,
        CompletableFuture.delayedExecutor(loadTime.toMillis(), TimeUnit.MILLISECONDS));
  }

  @Override
  public void close(ReplicaId id) {
    closed.add(id);
  }
}
