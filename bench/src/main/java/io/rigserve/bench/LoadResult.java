package io.rigserve.bench;

import org.HdrHistogram.Histogram;

/** What one load run measured: completed calls, failures, wall time and the latency histogram (ns). */
record LoadResult(String target, int concurrency, long ok, long failed, double seconds, Histogram latencyNanos) {

  double throughput() {
    return ok / seconds;
  }

  double percentileMillis(double p) {
    return latencyNanos.getValueAtPercentile(p) / 1e6;
  }

  String row() {
    return String.format("%-10s %5d %10.0f %9.3f %9.3f %9.3f %8d %7d",
        target, concurrency, throughput(), percentileMillis(50), percentileMillis(90), percentileMillis(99), ok, failed);
  }

  static String header() {
    return String.format("%-10s %5s %10s %9s %9s %9s %8s %7s",
        "target", "conc", "req/s", "p50 ms", "p90 ms", "p99 ms", "ok", "failed");
  }
}
