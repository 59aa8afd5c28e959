package io.rigserve.serving.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.rigserve.cluster.quarantine.Quarantine;
import io.rigserve.serving.trust.TrustLedger;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The trust families as Prometheus text, read from a ledger and a quarantine map at each scrape. */
class TrustMetricsTest {

  @Test
  void eachScrapeShowsTheChecksByOutcomeTheQuarantinedRigsAndEachRigsStrikes() throws Exception {
    TrustLedger ledger = new TrustLedger(4);
    Map<String, Quarantine> quarantined = new HashMap<>();
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new TrustMetrics(ledger, () -> Map.copyOf(quarantined)));

    assertEquals(Set.of("rigserve_verifications_total{outcome=\"agreed\"} 0.0",
        "rigserve_verifications_total{outcome=\"disagreed\"} 0.0", "rigserve_verifications_total{outcome=\"dropped\"} 0.0",
        "rigserve_verifications_total{outcome=\"unsettled\"} 0.0",
        "rigserve_verifications_total{outcome=\"unverifiable\"} 0.0", "rigserve_quarantined_rigs 0.0"), samples(registry));

    ledger.checkAgreed("a", "b");
    ledger.checkAgreed("a", "b");
    ledger.struck("m", 0);
    ledger.struck("m", 0);
    ledger.unsettled(new TrustLedger.Unsettled(1, "mlp@1/p0/r0", "a", "m", "differs"));
    ledger.dropped();
    ledger.unverifiable();
    quarantined.put("m", new Quarantine("m", "mallory", "2 arbitrations lost", 1, "gateway", 0, 0));

    assertEquals(Set.of("rigserve_verifications_total{outcome=\"agreed\"} 2.0",
        "rigserve_verifications_total{outcome=\"disagreed\"} 2.0", "rigserve_verifications_total{outcome=\"dropped\"} 1.0",
        "rigserve_verifications_total{outcome=\"unsettled\"} 1.0",
        "rigserve_verifications_total{outcome=\"unverifiable\"} 1.0", "rigserve_quarantined_rigs 1.0",
        "rigserve_rig_strikes{rig=\"a\"} 0.0", "rigserve_rig_strikes{rig=\"b\"} 0.0", "rigserve_rig_strikes{rig=\"m\"} 2.0"),
        samples(registry));
  }

  /** The sample lines of the text format, without HELP and TYPE. */
  private static Set<String> samples(PrometheusRegistry registry) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#")).collect(Collectors.toSet());
  }
}
