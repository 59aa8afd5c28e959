package io.rigserve.serving.api.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.rigserve.serving.model.ModelCatalog;
import io.rigserve.sharding.placement.Deployment;
import io.rigserve.sharding.replica.DirectorySnapshot;
import io.rigserve.sharding.replica.ReplicaLocation;
import java.util.ArrayList;
import java.util.List;

/** What {@code GET /admin/models} answers, as {@link ModelsAdminRoute} describes it. */
public record ModelsReport(List<Model> models) {

  /** {@code notReady} (why this rig cannot serve it) is left out while it can. */
  public record Model(String name, String version, int partitions, int replicasPerRegion, boolean ready,
      List<String> regions, @JsonInclude(JsonInclude.Include.NON_NULL) String notReady, List<Replica> replicas) {}

  public record Replica(String id, int partition, int replica, String region, String rig, String state, String reason) {}

  public static ModelsReport of(ModelCatalog catalog, DirectorySnapshot directory) {
    List<Model> models = new ArrayList<>();
    for (Deployment d : catalog.deployments()) {
      List<Replica> replicas = new ArrayList<>();
      for (int p = 0; p < d.partitions(); p++) {
        for (ReplicaLocation r : directory.ofPartition(d.model(), d.version(), p)) {
          replicas.add(new Replica(r.id().entityId(), r.id().partition(), r.id().replica(), r.region(), r.address(),
              r.state().name().toLowerCase(), r.reason()));
        }
      }
      String missing = catalog.missing(d);
      models.add(new Model(d.model(), d.version(), d.partitions(), d.replicasPerRegion(), catalog.servable(d),
          List.of(d.regions()), missing.isEmpty() ? null : missing, replicas));
    }
    return new ModelsReport(models);
  }
}
