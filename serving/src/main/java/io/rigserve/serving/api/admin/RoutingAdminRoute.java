package io.rigserve.serving.api.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rigserve.serving.routing.ReplicaStats;
import io.rigserve.serving.routing.RoutingStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /admin/routing} on the management port: for every replica this rig has routed stages
 * to, how many it sent, how many were answered or failed, how many are in flight, the EWMA answer
 * time, and whether its circuit breaker is open.
 */
public final class RoutingAdminRoute extends AllDirectives {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final RoutingStats stats;

  public RoutingAdminRoute(RoutingStats stats) {
    this.stats = stats;
  }

  public Route route() {
    return path(PathMatchers.segment("admin").slash("routing"), () -> get(() -> {
      ObjectNode root = JSON.createObjectNode();
      ArrayNode replicas = root.putArray("replicas");
      for (Map.Entry<RoutingStats.Key, ReplicaStats> e : stats.snapshot().entrySet()) {
        ReplicaStats s = e.getValue();
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
      try {
        return complete(HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(root)));
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }));
  }
}
