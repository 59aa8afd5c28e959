package io.rigserve.serving.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import io.rigserve.serving.transfer.ArtifactFetcher;
import io.rigserve.serving.transfer.ArtifactFetcher.Outcome;
import java.util.Locale;

/** What this rig's artifact fetcher received from peers and how its fetches ended, read at scrape time. */
final class ArtifactMetrics implements MultiCollector {

  private final ArtifactFetcher fetcher;

  ArtifactMetrics(ArtifactFetcher fetcher) {
    this.fetcher = fetcher;
  }

  @Override
  public MetricSnapshots collect() {
    CounterSnapshot bytes = CounterSnapshot.builder().name("rigserve_artifact_fetched_bytes").unit(Unit.BYTES)
        .help("Bytes of partition files received from peers, those refused for a wrong digest included")
        .dataPoint(CounterDataPointSnapshot.builder().value(fetcher.bytesReceived()).build())
        .build();
    CounterSnapshot.Builder fetches = CounterSnapshot.builder().name("rigserve_artifact_fetches")
        .help("Partition files this rig needed, by outcome: local (valid copy on disk), fetched (from a peer), unavailable");
    for (Outcome o : Outcome.values()) {
      fetches.dataPoint(CounterDataPointSnapshot.builder()
          .labels(Labels.of("outcome", o.name().toLowerCase(Locale.ROOT))).value(fetcher.fetches(o)).build());
    }
    return MetricSnapshots.of(bytes, fetches.build());
  }
}
