package io.rigserve.cluster.management;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rigserve.cluster.quarantine.QuarantineRegistry;
import io.rigserve.cluster.topology.RegionTopology;
import io.rigserve.cluster.topology.RttBoard;
import io.rigserve.cluster.topology.TopologyView;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /admin/cluster} and {@code GET /admin/regions}: this rig's view of the cluster as JSON;
 * {@code GET /admin/regions/rtt}: the RTT between every pair of regions, as all rigs published it.
 */
public final class AdminRoutes {

  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private AdminRoutes() {}

  public static Route create(ActorSystem<?> system, ActorRef<RegionTopology.Command> topology,
      HostedReplicasSource hosted, boolean insecure) {
    return pathPrefix("admin", () -> concat(
        path("cluster", () -> get(() -> completeWithFuture(
            view(system, topology).thenCompose(view ->
                hosted.hostedReplicas().thenApply(replicas -> ClusterReport.of(view, replicas, insecure,
                    QuarantineRegistry.get(system).current())))
                .thenApply(AdminRoutes::json)
                .exceptionally(AdminRoutes::unavailable)))),
        path(segment("regions").slash("rtt"), () -> get(() -> complete(json(RttBoard.get(system).matrix())))),
        path("regions", () -> get(() -> completeWithFuture(
            view(system, topology)
                .thenApply((Function<TopologyView, Object>) RegionsReport::of)
                .thenApply(AdminRoutes::json)
                .exceptionally(AdminRoutes::unavailable))))));
  }

  private static CompletionStage<TopologyView> view(
      ActorSystem<?> system, ActorRef<RegionTopology.Command> topology) {
    return AskPattern.ask(topology, RegionTopology.GetTopology::new, ASK_TIMEOUT, system.scheduler());
  }

  /** {@code body} (a record) as the admin routes answer: indented JSON, written by the one admin mapper. */
  public static HttpResponse json(Object body) {
    try {
      return HttpResponse.create()
          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(body)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + body.getClass().getSimpleName() + " as JSON", e);
    }
  }

  private static HttpResponse unavailable(Throwable cause) {
    return HttpResponse.create()
        .withStatus(StatusCodes.SERVICE_UNAVAILABLE)
        .withEntity(ContentTypes.TEXT_PLAIN_UTF8, "cluster view unavailable: " + cause.getMessage());
  }
}
