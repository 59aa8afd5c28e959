package io.rigserve.serving.routing;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this gateway's router decided, for operators ({@code /admin/routing}): per partition of
 * each model version, how many stage attempts went to each region and the replica chosen last,
 * and the most recent failovers with their totals. {@link RoutingStats} says how each replica
 * fares; this says where the chains went and why they left a replica.
 */
public final class RoutingJournal {

  private static final Logger log = LoggerFactory.getLogger(RoutingJournal.class);

  /** How many failovers {@link #recentFailovers()} keeps: enough to read one incident, bounded in memory. */
  public static final int RECENT_FAILOVERS = 64;

  /** Longest reason kept: a replica's error message can carry a whole engine trace. */
  static final int MAX_REASON = 200;

  /**
   * A stage attempt that failed; {@code to} is the replica the stage was replayed on, empty if no
   * replica or time was left; {@code requestId} and {@code traceId} name the request ("" if untraced).
   */
  public record Failover(Instant time, String model, String version, int partition, String from, String reason,
      Optional<String> to, String requestId, String traceId) {}

  /** Where the stages of one partition of one model version went: attempts per region, and the last replica chosen. */
  public record PartitionRouting(String model, String version, int partition, SortedMap<String, Long> byRegion,
      String last) {}

  private record PartitionKey(String model, String version, int partition) {}

  private static final Comparator<PartitionKey> ORDER = Comparator.comparing(PartitionKey::model)
      .thenComparing(PartitionKey::version).thenComparingInt(PartitionKey::partition);

  /** Counted on every stage sent, so lock-free; one entry per partition of a version this gateway has routed. */
  private static final class Tally {
    final Map<String, LongAdder> byRegion = new ConcurrentHashMap<>();
    volatile String last;
  }

  private final Map<PartitionKey, Tally> partitions = new ConcurrentHashMap<>();
  private final ArrayDeque<Failover> recent = new ArrayDeque<>(RECENT_FAILOVERS);
  private long failovers;
  private long notReplayed;

  /** A stage attempt of {@code partition} was sent to {@code replica} in {@code region}. */
  void sent(String model, String version, int partition, String region, String replica) {
    Tally tally = partitions.computeIfAbsent(new PartitionKey(model, version, partition), k -> new Tally());
    tally.byRegion.computeIfAbsent(region, r -> new LongAdder()).increment();
    tally.last = replica;
  }

  /** The attempt on {@code from} failed for {@code reason}; the stage moves to {@code to}, or fails when empty. */
  void failedOver(String model, String version, int partition, String from, String reason, Optional<String> to,
      String requestId, String traceId) {
    String shortReason = reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON - 3) + "...";
    Failover failover = new Failover(Instant.now(), model, version, partition, from, shortReason, to, requestId, traceId);
    synchronized (recent) {
      failovers++;
      if (to.isEmpty()) notReplayed++;
      if (recent.size() == RECENT_FAILOVERS) recent.removeLast();
      recent.addFirst(failover);
    }
    if (to.isPresent()) {
      log.info("partition {} of {}@{}: {} failed ({}), replayed on {}", partition, model, version, from, shortReason, to.get());
    } else {
      log.warn("partition {} of {}@{}: {} failed ({}), not replayed: no replica or time left", partition, model, version, from, shortReason);
    }
  }

  /** Failovers since start. */
  public long failovers() {
    synchronized (recent) {
      return failovers;
    }
  }

  /** Failovers after which no replica or no time was left to try: each one failed its request. */
  public long failoversNotReplayed() {
    synchronized (recent) {
      return notReplayed;
    }
  }

  /** The last {@link #RECENT_FAILOVERS} failovers, newest first. */
  public List<Failover> recentFailovers() {
    synchronized (recent) {
      return List.copyOf(recent);
    }
  }

  /** Every partition routed so far, by model, version and partition. */
  public List<PartitionRouting> partitions() {
    List<PartitionRouting> out = new ArrayList<>(partitions.size());
    partitions.entrySet().stream().sorted(Map.Entry.comparingByKey(ORDER)).forEach(e -> {
      SortedMap<String, Long> byRegion = new TreeMap<>();
      e.getValue().byRegion.forEach((region, count) -> byRegion.put(region, count.sum()));
      PartitionKey k = e.getKey();
      out.add(new PartitionRouting(k.model(), k.version(), k.partition(), byRegion, e.getValue().last));
    });
    return out;
  }
}
