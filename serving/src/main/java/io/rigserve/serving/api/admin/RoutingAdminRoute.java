package io.rigserve.serving.api.admin;

import io.rigserve.cluster.management.AdminRoutes;
import io.rigserve.serving.routing.RoutingJournal;
import io.rigserve.serving.routing.RoutingStats;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /admin/routing} on the management port: for every replica this rig has routed stages
 * to, how many it sent, how many were answered or failed, how many are in flight, the EWMA service
 * time (answer time less the round trip), and whether its circuit breaker is open; the replicas whose breaker is open now; per
 * partition, the stages sent to each region and the replica chosen last; and the failovers
 * (total, and the most recent, newest first).
 */
public final class RoutingAdminRoute extends AllDirectives {

  private final RoutingStats stats;
  private final RoutingJournal journal;

  public RoutingAdminRoute(RoutingStats stats, RoutingJournal journal) {
    this.stats = stats;
    this.journal = journal;
  }

  public Route route() {
    return path(PathMatchers.segment("admin").slash("routing"), () -> get(() ->
        complete(AdminRoutes.json(RoutingReport.of(stats, journal)))));
  }
}
