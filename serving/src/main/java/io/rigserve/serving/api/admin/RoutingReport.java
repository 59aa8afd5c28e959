package io.rigserve.serving.api.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.rigserve.serving.routing.ReplicaStats;
import io.rigserve.serving.routing.RoutingJournal;
import io.rigserve.serving.routing.RoutingStats;
import io.rigserve.serving.trust.TrustReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What {@code GET /admin/routing} answers, as {@link RoutingAdminRoute} describes it. */
public record RoutingReport(List<Replica> replicas, List<String> openBreakers,
    List<RoutingJournal.PartitionRouting> partitions, Failovers failovers,
    @JsonInclude(JsonInclude.Include.NON_NULL) TrustReport trust) {

  public record Replica(String id, String region, long sent, long succeeded, long failed, int inFlight, double ewmaMs,
      boolean breakerOpen) {}

  public record Failovers(long total, long notReplayed, List<Failover> recent) {}

  /** {@code to} is null when the stage was not replayed. */
  public record Failover(String time, String model, String version, int partition, String from, String reason, String to,
      String requestId, String traceId) {}

  /** {@code trust} is null when this gateway checks nothing. */
  public static RoutingReport of(RoutingStats stats, RoutingJournal journal, TrustReport trust) {
    List<Replica> replicas = new ArrayList<>();
    List<String> openBreakers = new ArrayList<>();
    for (Map.Entry<RoutingStats.Key, ReplicaStats> e : stats.snapshot().entrySet()) {
      ReplicaStats s = e.getValue();
      String id = e.getKey().replica().entityId();
      if (s.breakerOpen()) openBreakers.add(id);
      replicas.add(new Replica(id, e.getKey().region(), s.sent(), s.succeeded(), s.failed(), s.inFlight(), s.ewmaMillis(),
          s.breakerOpen()));
    }
    List<Failover> recent = journal.recentFailovers().stream()
        .map(f -> new Failover(f.time().toString(), f.model(), f.version(), f.partition(), f.from(), f.reason(),
            f.to().orElse(null), f.requestId(), f.traceId()))
        .toList();
    return new RoutingReport(replicas, openBreakers, journal.partitions(),
        new Failovers(journal.failovers(), journal.failoversNotReplayed(), recent), trust);
  }
}
