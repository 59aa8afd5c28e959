package io.rigserve.serving.fuzz;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Distinct failures of one fuzz run, each with how often it happened and the first inputs that
 * caused it (by index, replayable with the run's seed), so a report names a handful of bugs
 * rather than thousands of symptoms.
 */
final class Findings {

  private static final int EXAMPLES = 2;
  private static final int SHOWN = 400;

  private final Map<String, Kind> kinds = new TreeMap<>();
  private final AtomicInteger total = new AtomicInteger();

  private static final class Kind {
    int count;
    final StringBuilder examples = new StringBuilder();
  }

  /** Records that input {@code index} ({@code input} shown shortened) caused {@code kind}. */
  synchronized void add(String kind, int index, String input) {
    total.incrementAndGet();
    Kind k = kinds.computeIfAbsent(kind, x -> new Kind());
    k.count++;
    if (k.count <= EXAMPLES) {
      k.examples.append("\n      input #").append(index).append(": ").append(shown(input));
    }
  }

  int total() {
    return total.get();
  }

  synchronized boolean isEmpty() {
    return kinds.isEmpty();
  }

  synchronized String report() {
    StringBuilder b = new StringBuilder();
    kinds.forEach((kind, k) -> b.append("\n  ").append(k.count).append(" x ").append(kind).append(k.examples));
    return b.toString();
  }

  /** An input as printable text, escaped and cut, for a log line. */
  static String shown(String input) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < input.length() && b.length() < SHOWN; i++) {
      char c = input.charAt(i);
      if (c == '\r') b.append("\\r");
      else if (c == '\n') b.append("\\n");
      else if (c < 0x20 || c == 0x7f || (c >= 0xd800 && c <= 0xdfff)) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    if (input.length() > SHOWN) b.append("... (").append(input.length()).append(" chars)");
    return b.toString();
  }
}
