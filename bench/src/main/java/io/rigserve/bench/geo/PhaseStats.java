package io.rigserve.bench.geo;

import java.util.List;
import org.HdrHistogram.Histogram;

/** What the clients saw in one phase of a run: requests started then, and how they ended. */
public record PhaseStats(String phase, long sent, long succeeded, long failed, double p50Millis, double p99Millis) {

  /** The outcomes of requests started in [{@code fromNanos}, {@code toNanos}). */
  static PhaseStats of(String phase, List<GeoLoad.Outcome> outcomes, long fromNanos, long toNanos) {
    Histogram latency = new Histogram(3_600_000_000L, 3);
    long sent = 0;
    long succeeded = 0;
    for (GeoLoad.Outcome o : outcomes) {
      if (o.startNanos() < fromNanos || o.startNanos() >= toNanos) continue;
      sent++;
      if (o.succeeded()) {
        succeeded++;
        latency.recordValue(Math.max(1, (o.endNanos() - o.startNanos()) / 1_000));
      }
    }
    return new PhaseStats(phase, sent, succeeded, sent - succeeded,
        latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3);
  }

  static String header() {
    return String.format("%-10s %8s %10s %7s %9s %9s", "phase", "sent", "succeeded", "failed", "p50 ms", "p99 ms");
  }

  @Override
  public String toString() {
    return String.format("%-10s %8d %10d %7d %9.1f %9.1f", phase, sent, succeeded, failed, p50Millis, p99Millis);
  }
}
