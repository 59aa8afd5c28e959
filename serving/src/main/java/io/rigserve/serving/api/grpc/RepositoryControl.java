package io.rigserve.serving.api.grpc;

import io.rigserve.serving.deploy.DeployParameters;
import io.rigserve.serving.model.ModelCatalog;
import io.rigserve.serving.repository.ModelRepository;
import io.rigserve.serving.repository.ModelVersion;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The repository operations the gRPC front end offers (index, load, unload), behind one interface
 * so that they can be pointed at whatever core the REST repository endpoints use.
 */
public interface RepositoryControl {

  List<ModelVersion> index();

  /** Completes when {@code name} is deployed with {@code parameters} and servable from this rig. */
  CompletionStage<Void> load(String name, DeployParameters parameters);

  /** Completes when no version of {@code name} is served any more. */
  CompletionStage<Void> unload(String name);

  /**
   * The steps the REST repository endpoints take: deploy or unload on the blocking executor, then
   * wait (up to {@code timeout}) until the cluster serves the result.
   */
  static RepositoryControl of(ModelRepository repository, ModelCatalog catalog, Executor blocking, Duration timeout) {
    return new RepositoryControl() {
      @Override
      public List<ModelVersion> index() {
        return repository.index();
      }

      @Override
      public CompletionStage<Void> load(String name, DeployParameters parameters) {
        return CompletableFuture.supplyAsync(() -> repository.load(name, parameters), blocking)
            .thenCompose(deployed -> catalog.whenServable(deployed, timeout));
      }

      @Override
      public CompletionStage<Void> unload(String name) {
        return CompletableFuture.runAsync(() -> repository.unload(name), blocking)
            .thenCompose(done -> catalog.whenGone(name, timeout));
      }
    };
  }
}
