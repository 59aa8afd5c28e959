package io.rigserve.serving.api.admin;

import io.rigserve.cluster.management.AdminRoutes;
import io.rigserve.serving.model.ModelCatalog;
import io.rigserve.sharding.replica.ReplicaDirectory;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /admin/models} on the management port: every deployed model version with K, the
 * regions and replicas asked, whether this rig can serve it, and each replica's region, rig,
 * state and reason (placing, loading, ready, failed, or why it could not be placed).
 */
public final class ModelsAdminRoute extends AllDirectives {

  private final ModelCatalog catalog;
  private final ReplicaDirectory directory;

  public ModelsAdminRoute(ModelCatalog catalog, ReplicaDirectory directory) {
    this.catalog = catalog;
    this.directory = directory;
  }

  public Route route() {
    return path(PathMatchers.segment("admin").slash("models"), () -> get(() ->
        complete(AdminRoutes.json(ModelsReport.of(catalog, directory.snapshot())))));
  }
}
