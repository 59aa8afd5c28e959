package io.rigserve.serving.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.rigserve.cluster.quarantine.Quarantine;
import io.rigserve.serving.trust.TrustLedger;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What this gateway's checks of other rigs found ({@code rigserve_verifications} by outcome, each
 * rig's strikes) and how many rigs the cluster holds quarantined; read at scrape time from the
 * verifier's ledger and the quarantine map every rig follows.
 */
final class TrustMetrics implements MultiCollector {

  private final TrustLedger ledger;
  private final Supplier<Map<String, Quarantine>> quarantined;

  TrustMetrics(TrustLedger ledger, Supplier<Map<String, Quarantine>> quarantined) {
    this.ledger = ledger;
    this.quarantined = quarantined;
  }

  @Override
  public MetricSnapshots collect() {
    TrustLedger.Totals totals = ledger.totals();
    CounterSnapshot verifications = CounterSnapshot.builder().name("rigserve_verifications")
        .help("Checks of sampled stage answers by outcome: agreed, disagreed (an arbitration struck a rig), unsettled "
            + "(no third owner decided), dropped (too many in flight), unverifiable (no replica of another owner)")
        .dataPoint(verification("agreed", totals.agreed()))
        .dataPoint(verification("disagreed", totals.disagreed()))
        .dataPoint(verification("unsettled", totals.unsettled()))
        .dataPoint(verification("dropped", totals.checksDropped()))
        .dataPoint(verification("unverifiable", totals.unverifiable()))
        .build();
    GaugeSnapshot quarantinedRigs = GaugeSnapshot.builder().name("rigserve_quarantined_rigs")
        .help("Rigs the cluster keeps out of routing for wrong answers, as this rig knows the quarantine map")
        .dataPoint(GaugeDataPointSnapshot.builder().value(quarantined.get().size()).build())
        .build();
    GaugeSnapshot.Builder strikes = GaugeSnapshot.builder().name("rigserve_rig_strikes")
        .help("Each rig's strikes as this gateway's checks count them (arbitrations lost, forgiven by agreements)");
    ledger.snapshot().forEach(r -> strikes.dataPoint(GaugeDataPointSnapshot.builder()
        .labels(Labels.of("rig", r.rig())).value(r.strikes()).build()));
    return MetricSnapshots.of(verifications, quarantinedRigs, strikes.build());
  }

  private static CounterDataPointSnapshot verification(String outcome, long count) {
    return CounterDataPointSnapshot.builder().labels(Labels.of("outcome", outcome)).value(count).build();
  }
}
