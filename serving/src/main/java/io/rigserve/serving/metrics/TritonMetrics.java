package io.rigserve.serving.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.rigserve.serving.statistics.InferenceStatistics;
import io.rigserve.serving.statistics.InferenceStatistics.VersionStatistics;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Triton's inference families ({@code nv_inference_*}, labels {@code model} and {@code version}),
 * read from {@link InferenceStatistics} at each scrape, so that requests are counted once, for
 * the statistics extension and for Prometheus alike.
 */
final class TritonMetrics implements MultiCollector {

  private final InferenceStatistics statistics;

  TritonMetrics(InferenceStatistics statistics) {
    this.statistics = statistics;
  }

  @Override
  public MetricSnapshots collect() {
    List<VersionStatistics> versions = statistics.all();
    CounterSnapshot.Builder failure = CounterSnapshot.builder().name("nv_inference_request_failure")
        .help("Number of failed inference requests, by reason (the error kind), all batch sizes");
    for (VersionStatistics v : versions) {
      statistics.failuresByReason(v.name(), v.version()).forEach((reason, count) -> failure.dataPoint(
          CounterDataPointSnapshot.builder().labels(labels(v).add("reason", reason)).value(count).build()));
    }
    GaugeSnapshot.Builder pending = GaugeSnapshot.builder().name("nv_inference_pending_request_count")
        .help("Instantaneous number of pending requests awaiting execution per-model");
    for (VersionStatistics v : versions) {
      pending.dataPoint(GaugeDataPointSnapshot.builder().labels(labels(v)).value(statistics.pending(v.name(), v.version())).build());
    }
    return MetricSnapshots.of(
        counter("nv_inference_request_success", "Number of successful inference requests, all batch sizes", versions,
            v -> v.success().count()),
        failure.build(),
        counter("nv_inference_count", "Number of inferences performed (does not include cached requests)", versions,
            VersionStatistics::inferenceCount),
        counter("nv_inference_exec_count", "Number of model executions performed (does not include cached requests)", versions,
            VersionStatistics::executionCount),
        counter("nv_inference_request_duration_us", "Cumulative inference request duration in microseconds", versions,
            v -> micros(v.success().ns() + v.fail().ns())),
        counter("nv_inference_queue_duration_us", "Cumulative inference queuing duration in microseconds", versions,
            v -> micros(v.queue().ns())),
        counter("nv_inference_compute_input_duration_us", "Cumulative compute input duration in microseconds", versions,
            v -> micros(v.computeInput().ns())),
        counter("nv_inference_compute_infer_duration_us", "Cumulative compute inference duration in microseconds", versions,
            v -> micros(v.computeInfer().ns())),
        counter("nv_inference_compute_output_duration_us", "Cumulative inference compute output duration in microseconds",
            versions, v -> micros(v.computeOutput().ns())),
        pending.build());
  }

  private static CounterSnapshot counter(String name, String help, List<VersionStatistics> versions,
      ToDoubleFunction<VersionStatistics> value) {
    CounterSnapshot.Builder counter = CounterSnapshot.builder().name(name).help(help);
    for (VersionStatistics v : versions) {
      counter.dataPoint(CounterDataPointSnapshot.builder().labels(labels(v)).value(value.applyAsDouble(v)).build());
    }
    return counter.build();
  }

  private static Labels labels(VersionStatistics v) {
    return Labels.of("model", v.name(), "version", v.version());
  }

  private static double micros(long nanos) {
    return nanos / 1_000L;
  }
}
