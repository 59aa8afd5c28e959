package io.rigserve.serving.statistics;

import io.rigserve.serving.error.ServingException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiPredicate;

/**
 * This gateway's cumulative inference statistics, per model version (Triton's statistics
 * extension) and, as rigserve's own addition, per partition and region its stages went to.
 * Counted on every request and every stage attempt, so lock-free: {@link LongAdder}s in
 * concurrent maps, one entry per version and per partition and region actually used.
 */
public final class InferenceStatistics {

  /** A count and the nanoseconds it took in total. */
  public record Timed(long count, long ns) {}

  /** What a request spent where: nanoseconds resolving, validating, in the chain of stages, and assembling the answer. */
  public record Phases(long queueNs, long computeInputNs, long computeInferNs, long computeOutputNs) {
    public long totalNs() {
      return queueNs + computeInputNs + computeInferNs + computeOutputNs;
    }
  }

  /** The stage attempts of one partition that went to one region. */
  public record PartitionRegion(int partition, String region, Timed success, Timed fail) {}

  /** One model version's statistics, as both front ends report them. */
  public record VersionStatistics(String name, String version, long lastInferenceMillis, long inferenceCount,
      long executionCount, Timed success, Timed fail, Timed queue, Timed computeInput, Timed computeInfer,
      Timed computeOutput, List<PartitionRegion> partitions) {

    /** A version with no request yet. */
    public static VersionStatistics none(String name, String version) {
      Timed zero = new Timed(0, 0);
      return new VersionStatistics(name, version, 0, 0, 0, zero, zero, zero, zero, zero, zero, List.of());
    }
  }

  private record VersionKey(String model, String version) {}

  private record StageKey(int partition, String region) {}

  private static final class Counter {
    final LongAdder count = new LongAdder();
    final LongAdder ns = new LongAdder();

    void add(long nanos) {
      count.increment();
      ns.add(Math.max(0, nanos));
    }

    Timed read() {
      return new Timed(count.sum(), ns.sum());
    }
  }

  private static final class StageCounters {
    final Counter success = new Counter();
    final Counter fail = new Counter();
  }

  private static final class VersionCounters {
    final Counter success = new Counter();
    final Counter fail = new Counter();
    final Counter queue = new Counter();
    final Counter computeInput = new Counter();
    final Counter computeInfer = new Counter();
    final Counter computeOutput = new Counter();
    final LongAdder inferences = new LongAdder();
    final LongAdder executions = new LongAdder();
    final LongAdder pending = new LongAdder();
    final Map<String, LongAdder> failuresByReason = new ConcurrentHashMap<>();
    volatile long lastInferenceMillis;
    final Map<StageKey, StageCounters> stages = new ConcurrentHashMap<>();
  }

  /** Told each request's outcome and time as it is counted (a latency histogram, for one). */
  public interface Listener {
    void requestDone(String model, String version, boolean succeeded, long nanos);
  }

  private final Map<VersionKey, VersionCounters> versions = new ConcurrentHashMap<>();
  private final Listener listener;

  public InferenceStatistics() {
    this((model, version, succeeded, nanos) -> {});
  }

  public InferenceStatistics(Listener listener) {
    this.listener = listener;
  }

  /** A request of {@code model@version} is under way: pending until {@link #succeeded} or {@link #failed} counts it. */
  public void started(String model, String version) {
    counters(model, version).pending.increment();
  }

  /** A request of {@code model@version} answered; {@code inferences} is its batch size (1 when the model does not batch). */
  public void succeeded(String model, String version, Phases phases, long inferences) {
    VersionCounters c = counters(model, version);
    c.pending.decrement();
    c.success.add(phases.totalNs());
    c.queue.add(phases.queueNs());
    c.computeInput.add(phases.computeInputNs());
    c.computeInfer.add(phases.computeInferNs());
    c.computeOutput.add(phases.computeOutputNs());
    c.inferences.add(inferences);
    c.executions.increment();
    c.lastInferenceMillis = System.currentTimeMillis();
    listener.requestDone(model, version, true, phases.totalNs());
  }

  /**
   * A request of {@code model@version} failed after {@code nanos}, for {@code reason} (one of a
   * few fixed words, such as an error kind's name, so that the reasons stay few).
   */
  public void failed(String model, String version, String reason, long nanos) {
    VersionCounters c = counters(model, version);
    c.pending.decrement();
    c.fail.add(nanos);
    c.failuresByReason.computeIfAbsent(reason, r -> new LongAdder()).increment();
    c.lastInferenceMillis = System.currentTimeMillis();
    listener.requestDone(model, version, false, nanos);
  }

  /** A stage attempt of {@code partition} in {@code region} answered ({@code ok}) or failed, after {@code nanos}. */
  public void stage(String model, String version, int partition, String region, boolean ok, long nanos) {
    StageCounters s = counters(model, version).stages.computeIfAbsent(new StageKey(partition, region), k -> new StageCounters());
    (ok ? s.success : s.fail).add(nanos);
  }

  /** The statistics of {@code model@version}: zeros when it had no request. */
  public VersionStatistics of(String model, String version) {
    VersionCounters c = versions.get(new VersionKey(model, version));
    if (c == null) return VersionStatistics.none(model, version);
    List<PartitionRegion> partitions = new ArrayList<>();
    c.stages.forEach((k, s) -> partitions.add(new PartitionRegion(k.partition(), k.region(), s.success.read(), s.fail.read())));
    partitions.sort(Comparator.comparingInt(PartitionRegion::partition).thenComparing(PartitionRegion::region));
    return new VersionStatistics(model, version, c.lastInferenceMillis, c.inferences.sum(), c.executions.sum(),
        c.success.read(), c.fail.read(), c.queue.read(), c.computeInput.read(), c.computeInfer.read(),
        c.computeOutput.read(), List.copyOf(partitions));
  }

  /** The reason a request failed with {@code error}: its error kind in lower case, else {@code other}. */
  public static String reasonOf(Throwable error) {
    Throwable e = error;
    while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) e = e.getCause();
    return e instanceof ServingException s ? s.kind().name().toLowerCase(java.util.Locale.ROOT) : "other";
  }

  /** The statistics of every version that has had a request, by model and version. */
  public List<VersionStatistics> all() {
    return versions.keySet().stream()
        .sorted(Comparator.comparing(VersionKey::model).thenComparing(VersionKey::version))
        .map(k -> of(k.model(), k.version()))
        .toList();
  }

  /** Requests of {@code model@version} started and not yet answered. */
  public long pending(String model, String version) {
    VersionCounters c = versions.get(new VersionKey(model, version));
    return c == null ? 0 : Math.max(0, c.pending.sum());
  }

  /** Failed requests of {@code model@version} by reason. */
  public Map<String, Long> failuresByReason(String model, String version) {
    VersionCounters c = versions.get(new VersionKey(model, version));
    Map<String, Long> out = new java.util.TreeMap<>();
    if (c != null) c.failuresByReason.forEach((reason, count) -> out.put(reason, count.sum()));
    return out;
  }

  /** Forgets every version {@code deployed} rejects (unloaded ones), so counters stay bounded by what is deployed. */
  public void retainOnly(BiPredicate<String, String> deployed) {
    versions.keySet().removeIf(k -> !deployed.test(k.model(), k.version()));
  }

  private VersionCounters counters(String model, String version) {
    return versions.computeIfAbsent(new VersionKey(model, version), k -> new VersionCounters());
  }
}
