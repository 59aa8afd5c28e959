package io.rigserve.cluster.management;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractUnmatchedPath;

import io.rigserve.cluster.RigCluster;
import io.rigserve.cluster.http.JsonErrors;
import io.rigserve.cluster.node.ClusterDiscovery;
import io.rigserve.cluster.node.RigSettings;
import io.rigserve.cluster.security.BearerAuth;
import io.rigserve.cluster.topology.RegionTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * The management server of a rig, on {@code rigserve.management.port}: Pekko Management's routes
 * ({@code /cluster/members} with Down and Leave, {@code /alive}, {@code /ready}), rigserve's {@code
 * /admin/cluster} and {@code /admin/regions}, and whatever admin routes other modules add.
 *
 * <p>It binds the server itself with Pekko Management's routes inside, rather than calling {@code
 * PekkoManagement.start()}, so that routes needing live objects (the topology actor, the replica
 * source) share the one port. Do not also call {@code PekkoManagement.start()}: it would bind the
 * same port.
 *
 * <p>Everything but {@code /alive} and {@code /ready} (which load balancers and orchestrators probe
 * without credentials) and the dashboard page at {@code /} (no data in it) needs the admin token
 * when one is configured. Without one, Pekko
 * Management's routes are read-only: nobody can Down, Leave or Join members through this port.
 */
public final class RigManagement {

  private static final Duration UNBIND_DEADLINE = Duration.ofSeconds(5);
  /** Open without the token: the probes, and the dashboard page, which holds no data (it asks for the token). */
  private static final Set<String> PROBES = Set.of("/alive", "/ready", "/");

  private RigManagement() {}

  /** Starts the server; completes with the port it is bound to (useful when configured as 0). */
  public static CompletionStage<Integer> start(
      RigCluster cluster, HostedReplicasSource hosted, Route... adminRoutes) {
    return start(cluster, BearerAuth.OPEN, false, hosted, adminRoutes);
  }

  /** {@code insecure}: the rig runs off loopback by the insecure switch; {@code /admin/cluster} says so. */
  public static CompletionStage<Integer> start(RigCluster cluster, BearerAuth auth, boolean insecure,
      HostedReplicasSource hosted, Route... adminRoutes) {
    return start(cluster.system(), cluster.rig(), cluster.topology(), cluster.discovery().bootstraps(), auth, insecure,
        hosted, List.of(adminRoutes));
  }

  private static CompletionStage<Integer> start(
      ActorSystem<?> system,
      RigSettings rig,
      ActorRef<RegionTopology.Command> topology,
      boolean bootstrap,
      BearerAuth auth,
      boolean insecure,
      HostedReplicasSource hosted,
      List<Route> adminRoutes) {
    List<Route> routes = new ArrayList<>();
    routes.add(AdminRoutes.create(system, topology, hosted, insecure));
    routes.add(QuarantineRoutes.create(system));
    routes.addAll(adminRoutes);
    boolean readOnly = !auth.hasAdminToken();
    Route management = PekkoManagement.get(system).getRoutes(settings -> settings.withReadOnly(readOnly));
    Route all = concat(management, routes.toArray(Route[]::new));
    // Cluster Bootstrap's peers probe its route without credentials; it is open only when bootstrap runs.
    Route guarded = extractUnmatchedPath(path -> PROBES.contains(path)
        || (bootstrap && path.equals(ClusterDiscovery.BOOTSTRAP_ROUTE)) ? all : auth.admin(() -> all));
    return Http.get(system)
        .newServerAt(rig.managementBindHost(), rig.managementPort())
        .bind(JsonErrors.seal(guarded))
        .thenApply(binding -> {
          binding.addToCoordinatedShutdown(UNBIND_DEADLINE, system);
          system.log().info("Management and admin routes on {}", binding.localAddress());
          return binding.localAddress().getPort();
        });
  }
}
