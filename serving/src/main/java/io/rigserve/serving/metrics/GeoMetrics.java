package io.rigserve.serving.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.rigserve.cluster.topology.TopologyCache;
import io.rigserve.cluster.topology.TopologyView;
import io.rigserve.serving.routing.RoutingJournal;
import io.rigserve.serving.routing.RoutingStats;
import io.rigserve.serving.statistics.InferenceStatistics;
import io.rigserve.serving.statistics.InferenceStatistics.PartitionRegion;
import io.rigserve.serving.statistics.InferenceStatistics.VersionStatistics;
import io.rigserve.sharding.replica.ReplicaDirectory;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * rigserve's own families ({@code rigserve_*}), the geography no single-site server has: where
 * this gateway's stage attempts went, its failovers and open breakers, the regions it sees (RTT,
 * reachability, members) and the replicas the cluster holds. All read at scrape time from the
 * state the router and the topology already keep; nothing is counted for them on the request path.
 */
final class GeoMetrics implements MultiCollector {

  private final InferenceStatistics statistics;
  private final RoutingStats routing;
  private final RoutingJournal journal;
  private final TopologyCache topology;
  private final ReplicaDirectory directory;

  GeoMetrics(InferenceStatistics statistics, RoutingStats routing, RoutingJournal journal, TopologyCache topology,
      ReplicaDirectory directory) {
    this.statistics = statistics;
    this.routing = routing;
    this.journal = journal;
    this.topology = topology;
    this.directory = directory;
  }

  @Override
  public MetricSnapshots collect() {
    Optional<TopologyView> view = topology.view();
    return MetricSnapshots.of(stageAttempts(), failovers(), openBreakers(),
        regionRtt(view), regionReachable(view), members(view), replicas());
  }

  private CounterSnapshot stageAttempts() {
    CounterSnapshot.Builder attempts = CounterSnapshot.builder().name("rigserve_stage_attempts")
        .help("Stage attempts this gateway sent, by model, version, partition, region of the replica and outcome");
    for (VersionStatistics v : statistics.all()) {
      for (PartitionRegion p : v.partitions()) {
        Labels labels = Labels.of("model", v.name(), "version", v.version(), "partition", Integer.toString(p.partition()),
            "region", p.region());
        attempts.dataPoint(CounterDataPointSnapshot.builder().labels(labels.add("outcome", "success"))
            .value(p.success().count()).build());
        attempts.dataPoint(CounterDataPointSnapshot.builder().labels(labels.add("outcome", "failure"))
            .value(p.fail().count()).build());
      }
    }
    return attempts.build();
  }

  private CounterSnapshot failovers() {
    long all = journal.failovers();
    long notReplayed = journal.failoversNotReplayed();
    return CounterSnapshot.builder().name("rigserve_failovers")
        .help("Failed stage attempts this gateway failed over: replayed on another replica, or not (no replica or time left)")
        .dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("replayed", "true")).value(all - notReplayed).build())
        .dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("replayed", "false")).value(notReplayed).build())
        .build();
  }

  private GaugeSnapshot openBreakers() {
    Map<String, Long> byRegion = new TreeMap<>();
    routing.snapshot().forEach((key, stats) -> byRegion.merge(key.region(), stats.breakerOpen() ? 1L : 0L, Long::sum));
    return gauge("rigserve_open_breakers", "Replicas this gateway keeps out of routing behind an open circuit breaker, by region",
        byRegion, "region");
  }

  private static GaugeSnapshot regionRtt(Optional<TopologyView> view) {
    GaugeSnapshot.Builder rtt = GaugeSnapshot.builder().name("rigserve_region_rtt_seconds")
        .help("Round trip from this rig to each other region: moving average of probes, or the great-circle prior before any");
    view.ifPresent(v -> v.regionViews().values().forEach(r -> r.rtt().ifPresent(e -> rtt.dataPoint(
        GaugeDataPointSnapshot.builder().labels(Labels.of("region", r.name(), "prior", Boolean.toString(e.isPrior())))
            .value(e.millis() / 1000.0).build()))));
    return rtt.build();
  }

  private static GaugeSnapshot regionReachable(Optional<TopologyView> view) {
    Map<String, Long> reachable = new TreeMap<>();
    view.ifPresent(v -> v.regionViews().values().forEach(r -> reachable.put(r.name(), r.reachable() ? 1L : 0L)));
    return gauge("rigserve_region_reachable", "1 while this rig reaches the region (Pekko's cross-region failure detector), else 0",
        reachable, "region");
  }

  private static GaugeSnapshot members(Optional<TopologyView> view) {
    GaugeSnapshot.Builder members = GaugeSnapshot.builder().name("rigserve_members")
        .help("Cluster members this rig sees, by region and member status");
    view.ifPresent(v -> v.members().stream()
        .collect(Collectors.groupingBy(m -> List.of(m.region(), m.status().label()), Collectors.counting()))
        .forEach((k, count) -> members.dataPoint(GaugeDataPointSnapshot.builder()
            .labels(Labels.of("region", k.get(0), "status", k.get(1))).value(count).build())));
    return members.build();
  }

  private GaugeSnapshot replicas() {
    GaugeSnapshot.Builder replicas = GaugeSnapshot.builder().name("rigserve_replicas")
        .help("Partition replicas the cluster holds, by model, version, region and state");
    directory.snapshot().replicas().stream()
        .collect(Collectors.groupingBy(r -> List.of(r.id().model(), r.id().version(), r.region(),
            r.state().name().toLowerCase(Locale.ROOT)), Collectors.counting()))
        .forEach((k, count) -> replicas.dataPoint(GaugeDataPointSnapshot.builder()
            .labels(Labels.of("model", k.get(0), "version", k.get(1), "region", k.get(2), "state", k.get(3)))
            .value(count).build()));
    return replicas.build();
  }

  private static GaugeSnapshot gauge(String name, String help, Map<String, Long> values, String label) {
    GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(name).help(help);
    values.forEach((k, v) -> gauge.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of(label, k)).value(v).build()));
    return gauge.build();
  }
}
