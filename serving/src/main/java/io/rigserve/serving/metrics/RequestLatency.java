package io.rigserve.serving.metrics;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.Unit;
import io.rigserve.serving.statistics.InferenceStatistics;

/**
 * The latency histogram of the requests this gateway answered or failed, by model, version and
 * outcome: Triton's cumulative durations give means, this gives percentiles. Observed by
 * {@link InferenceStatistics} as it counts each request, so the request path records once.
 */
public final class RequestLatency implements InferenceStatistics.Listener {

  private final Histogram histogram = Histogram.builder()
      .name("rigserve_request_duration_seconds")
      .help("Duration of inference requests at this gateway, from arrival to answer, by model, version and outcome")
      .unit(Unit.SECONDS)
      .labelNames("model", "version", "outcome")
      .classicOnly()
      .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
      .build();

  @Override
  public void requestDone(String model, String version, boolean succeeded, long nanos) {
    histogram.labelValues(model, version, succeeded ? "success" : "failure").observe(Unit.nanosToSeconds(Math.max(0, nanos)));
  }

  Histogram histogram() {
    return histogram;
  }
}
