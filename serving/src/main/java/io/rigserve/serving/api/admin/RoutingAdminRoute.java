package io.rigserve.serving.api.admin;

import io.rigserve.cluster.management.AdminRoutes;
import io.rigserve.serving.routing.RoutingJournal;
import io.rigserve.serving.routing.RoutingStats;
import io.rigserve.serving.trust.TrustReport;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /admin/routing} on the management port: for every replica this rig has routed stages
 * to, how many it sent, how many were answered or failed, how many are in flight, the EWMA service
 * time (answer time less the round trip), and whether its circuit breaker is open; the replicas whose breaker is open now; per
 * partition, the stages sent to each region and the replica chosen last; the failovers
 * (total, and the most recent, newest first); and under {@code trust}, what this gateway's checks
 * found of each rig and which rigs are quarantined, why and since when ({@link TrustReport}).
 */
public final class RoutingAdminRoute extends AllDirectives {

  private final RoutingStats stats;
  private final RoutingJournal journal;
  private final Supplier<TrustReport> trust;

  public RoutingAdminRoute(RoutingStats stats, RoutingJournal journal) {
    this(stats, journal, () -> null);
  }

  /** {@code trust}: the report of the gateway's checks; it answers null when nothing is checked. */
  public RoutingAdminRoute(RoutingStats stats, RoutingJournal journal, Supplier<TrustReport> trust) {
    this.stats = stats;
    this.journal = journal;
    this.trust = trust;
  }

  public Route route() {
    return path(PathMatchers.segment("admin").slash("routing"), () -> get(() ->
        complete(AdminRoutes.json(RoutingReport.of(stats, journal, trust.get())))));
  }
}
