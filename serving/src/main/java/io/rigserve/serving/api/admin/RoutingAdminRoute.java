package io.rigserve.serving.api.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rigserve.serving.routing.ReplicaStats;
import io.rigserve.serving.routing.RoutingJournal;
import io.rigserve.serving.routing.RoutingStats;
import io.rigserve.serving.trust.TrustReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /admin/routing} on the management port: for every replica this rig has routed stages
 * to, how many it sent, how many were answered or failed, how many are in flight, the EWMA service
 * time (answer time less the round trip), and whether its circuit breaker is open; the replicas whose breaker is open now; per
 * partition, the stages sent to each region and the replica chosen last; and the failovers
 * (total, and the most recent, newest first); and under {@code trust}, what this gateway's checks
 * found of each rig and which rigs are quarantined, why and since when ({@link TrustReport}).
 */
public final class RoutingAdminRoute extends AllDirectives {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final RoutingStats stats;
  private final RoutingJournal journal;

  private final Supplier<TrustReport> trust;

  public RoutingAdminRoute(RoutingStats stats, RoutingJournal journal) {
    this(stats, journal, null);
  }

  /** {@code trust}: the report of the gateway's checks; null when nothing is checked. */
  public RoutingAdminRoute(RoutingStats stats, RoutingJournal journal, Supplier<TrustReport> trust) {
    this.stats = stats;
    this.journal = journal;
    this.trust = trust;
  }

  public Route route() {
    return path(PathMatchers.segment("admin").slash("routing"), () -> get(() -> {
      ObjectNode root = JSON.createObjectNode();
      ArrayNode replicas = root.putArray("replicas");
      ArrayNode openBreakers = root.putArray("openBreakers");
      for (Map.Entry<RoutingStats.Key, ReplicaStats> e : stats.snapshot().entrySet()) {
        ReplicaStats s = e.getValue();
        if (s.breakerOpen()) openBreakers.add(e.getKey().replica().entityId());
        replicas.addObject()
            .put("id", e.getKey().replica().entityId())
            .put("region", e.getKey().region())
            .put("sent", s.sent())
            .put("succeeded", s.succeeded())
            .put("failed", s.failed())
            .put("inFlight", s.inFlight())
            .put("ewmaMs", s.ewmaMillis())
            .put("breakerOpen", s.breakerOpen());
      }
      partitions(root.putArray("partitions"));
      failovers(root.putObject("failovers"));
      if (trust != null) root.set("trust", JSON.valueToTree(trust.get()));
      try {
        return complete(HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(root)));
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }));
  }

  private void partitions(ArrayNode out) {
    for (RoutingJournal.PartitionRouting p : journal.partitions()) {
      ObjectNode node = out.addObject()
          .put("model", p.model())
          .put("version", p.version())
          .put("partition", p.partition());
      ObjectNode byRegion = node.putObject("byRegion");
      p.byRegion().forEach(byRegion::put);
      node.put("last", p.last());
    }
  }

  private void failovers(ObjectNode out) {
    out.put("total", journal.failovers());
    out.put("notReplayed", journal.failoversNotReplayed());
    ArrayNode recent = out.putArray("recent");
    for (RoutingJournal.Failover f : journal.recentFailovers()) {
      recent.addObject()
          .put("time", f.time().toString())
          .put("model", f.model())
          .put("version", f.version())
          .put("partition", f.partition())
          .put("from", f.from())
          .put("reason", f.reason())
          .put("to", f.to().orElse(null));
    }
  }
}
