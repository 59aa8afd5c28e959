package io.rigserve.bench.geo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * When each step of a region's return was first seen, counted from the return: polled together,
 * so the report shows where the seconds went (rigs ready, replicas ready, borrowed from again).
 */
final class Milestones {

  private final long from;
  private final Map<String, Long> reached = new LinkedHashMap<>();
  private final List<String> missing = new ArrayList<>();

  Milestones(long fromNanos) {
    this.from = fromNanos;
  }

  /** Whether {@code name} holds now or held before; the first time it holds is kept. */
  boolean check(String name, boolean holdsNow) {
    if (reached.containsKey(name)) return true;
    if (holdsNow) reached.put(name, System.nanoTime());
    return holdsNow;
  }

  /** Like {@link #check(String, boolean)} for a step seen elsewhere at {@code atNanos} (negative: not yet). */
  boolean check(String name, long atNanos) {
    if (reached.containsKey(name)) return true;
    if (atNanos >= 0) reached.put(name, atNanos);
    return atNanos >= 0;
  }

  /** Like {@link #check(String, long)}, but a step not reached is kept as missing (shown as such). */
  void checkOrMissing(String name, long atNanos) {
    if (!check(name, atNanos)) missing.add(name);
  }

  /** Milliseconds from the return to each step reached, in the order first reached. */
  Map<String, Double> millis() {
    Map<String, Double> out = new LinkedHashMap<>();
    reached.entrySet().stream().sorted(Map.Entry.comparingByValue())
        .forEach(e -> out.put(e.getKey(), (e.getValue() - from) / 1e6));
    for (String name : missing) out.put(name, Double.NaN);
    return out;
  }

  /** When the last step was reached (the region is back once every step is), or now. */
  long lastNanos() {
    return reached.values().stream().max(Long::compare).orElse(System.nanoTime());
  }
}
