package io.rigserve.serving.api.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rigserve.serving.model.ModelCatalog;
import io.rigserve.sharding.placement.Deployment;
import io.rigserve.sharding.replica.ReplicaDirectory;
import io.rigserve.sharding.replica.ReplicaLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatcher0;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /admin/models} on the management port: every deployed model version with K, the
 * regions and replicas asked, whether this rig can serve it, and each replica's region, rig,
 * state and reason (placing, loading, ready, failed, or why it could not be placed).
 */
public final class ModelsAdminRoute extends AllDirectives {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final ModelCatalog catalog;
  private final ReplicaDirectory directory;

  public ModelsAdminRoute(ModelCatalog catalog, ReplicaDirectory directory) {
    this.catalog = catalog;
    this.directory = directory;
  }

  public Route route() {
    return path(segment("admin").slash("models"), () -> get(() -> {
      ObjectNode root = JSON.createObjectNode();
      ArrayNode models = root.putArray("models");
      for (Deployment d : catalog.deployments()) {
        ObjectNode m = models.addObject()
            .put("name", d.model())
            .put("version", d.version())
            .put("partitions", d.partitions())
            .put("replicasPerRegion", d.replicasPerRegion())
            .put("ready", catalog.servable(d));
        ArrayNode regions = m.putArray("regions");
        for (String r : d.regions()) regions.add(r);
        String missing = catalog.missing(d);
        if (!missing.isEmpty()) m.put("notReady", missing);
        ArrayNode replicas = m.putArray("replicas");
        for (int p = 0; p < d.partitions(); p++) {
          List<ReplicaLocation> placed = directory.snapshot().ofPartition(d.model(), d.version(), p);
          for (ReplicaLocation r : placed) {
            replicas.addObject()
                .put("id", r.id().entityId())
                .put("partition", r.id().partition())
                .put("replica", r.id().replica())
                .put("region", r.region())
                .put("rig", r.address())
                .put("state", r.state().name().toLowerCase())
                .put("reason", r.reason());
          }
        }
      }
      try {
        return complete(HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(root)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }));
  }

  private static PathMatcher0 segment(String s) {
    return PathMatchers.segment(s);
  }
}
