package io.rigserve.serving.inference;

import io.rigserve.serving.model.ModelCatalog;
import io.rigserve.serving.model.ModelDescriptor;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.error.ModelNotReady;
import io.rigserve.serving.error.UnknownModel;
import io.rigserve.serving.routing.PipelineRouter;
import io.rigserve.serving.routing.StageChain;
import io.rigserve.serving.statistics.InferenceStatistics;
import io.rigserve.sharding.placement.Deployment;
import io.rigserve.sharding.tensor.TensorSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

/**
 * The one serving API both front ends (REST and gRPC) call, so the protocols cannot drift apart:
 * health, metadata and inference. Protocol details stay in the front ends.
 */
public final class InferenceService {

  public static final String SERVER_NAME = "rigserve";
  public static final String SERVER_VERSION = "0.1.0";
  private static final List<String> EXTENSIONS =
      List.of("model_repository", "model_configuration", "statistics", "binary_tensor_data");

  private final ModelCatalog catalog;
  private final PipelineRouter router;
  private final Duration defaultTimeout;
  private final Duration maxTimeout;
  private final BooleanSupplier ready;
  private final InferenceStatistics statistics;

  /** {@code defaultTimeout} applies when a request names none; no request waits beyond {@code maxTimeout}. */
  public InferenceService(ModelCatalog catalog, PipelineRouter router, Duration defaultTimeout, Duration maxTimeout,
      BooleanSupplier ready) {
    this(catalog, router, defaultTimeout, maxTimeout, ready, new InferenceStatistics());
  }

  /** As above, counting every request in {@code statistics} (which the router's targets may share). */
  public InferenceService(ModelCatalog catalog, PipelineRouter router, Duration defaultTimeout, Duration maxTimeout,
      BooleanSupplier ready, InferenceStatistics statistics) {
    this.statistics = statistics;
    this.catalog = catalog;
    this.router = router;
    this.defaultTimeout = defaultTimeout;
    this.maxTimeout = maxTimeout;
    this.ready = ready;
  }

  public boolean live() {
    return true;
  }

  /** Ready: the rig is a member of its cluster and the replicas placed on it are loaded. */
  public boolean ready() {
    return ready.getAsBoolean();
  }

  public boolean modelReady(String name, String version) {
    try {
      catalog.resolve(name, version);
      return true;
    } catch (ModelNotReady e) {
      return false;
    }
  }

  public ServerMetadata serverMetadata() {
    return new ServerMetadata(SERVER_NAME, SERVER_VERSION, EXTENSIONS);
  }

  public ModelMetadata modelMetadata(String name, String version) {
    ModelCatalog.ServedVersion v = catalog.resolve(name, version);
    return new ModelMetadata(name, catalog.servableVersions(name), ModelMetadata.ONNX_PLATFORM,
        v.descriptor().inputs(), v.descriptor().outputs());
  }

  /**
   * Runs one request. Its statistics count the phases Triton names: queue (resolving the version
   * to serve; rigserve has no gateway queue), compute input (validation), compute infer (the
   * chain of stages, replicas' queues and the network included) and compute output (the answer).
   */
  public CompletionStage<InferResponse> infer(InferRequest request) {
    long start = System.nanoTime();
    ModelCatalog.ServedVersion v;
    try {
      v = catalog.resolve(request.model(), request.version());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    statistics.started(v.name(), v.version());
    try {
      long resolved = System.nanoTime();
      InferRequestValidator.validate(request, v.descriptor().inputs(), v.descriptor().outputs());
      long validated = System.nanoTime();
      return router.run(v.name(), v.version(), chain(v.descriptor()), request.inputs(), request.outputs(), deadline(request))
          .thenApply(outputs -> {
            long ran = System.nanoTime();
            InferResponse response = new InferResponse(v.name(), v.version(), request.id(), Map.of(), outputs);
            statistics.succeeded(v.name(), v.version(), new InferenceStatistics.Phases(resolved - start,
                validated - resolved, ran - validated, System.nanoTime() - ran), 1);
            return response;
          })
          .whenComplete((response, error) -> {
            if (error != null) statistics.failed(v.name(), v.version(), InferenceStatistics.reasonOf(error), System.nanoTime() - start);
          });
    } catch (RuntimeException e) {
      statistics.failed(v.name(), v.version(), InferenceStatistics.reasonOf(e), System.nanoTime() - start);
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Triton's model configuration of a servable version, with its deployment as parameters. */
  public ModelConfiguration modelConfig(String name, String version) {
    ModelCatalog.ServedVersion v = catalog.resolve(name, version);
    Deployment d = v.deployment();
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("version", d.version());
    parameters.put("partitions", Integer.toString(d.partitions()));
    parameters.put("replicas_per_region", Integer.toString(d.replicasPerRegion()));
    parameters.put("regions", String.join(",", d.regions()));
    parameters.put("hedge_after_ms", Long.toString(v.descriptor().hedgeAfterMillis()));
    return new ModelConfiguration(name, ModelMetadata.ONNX_PLATFORM, ModelConfiguration.ONNX_BACKEND, 0,
        v.descriptor().inputs(), v.descriptor().outputs(), parameters);
  }

  /**
   * The statistics of every deployed version of {@code name} (every model when empty; only
   * {@code version} when given), in name and version order; an unknown model or version is
   * {@link UnknownModel}.
   */
  public List<InferenceStatistics.VersionStatistics> statistics(String name, String version) {
    List<Deployment> deployed = catalog.deployments();
    statistics.retainOnly((m, ver) -> deployed.stream().anyMatch(d -> d.model().equals(m) && d.version().equals(ver)));
    List<InferenceStatistics.VersionStatistics> out = deployed.stream()
        .filter(d -> name.isEmpty() || d.model().equals(name))
        .filter(d -> version.isEmpty() || d.version().equals(version))
        .sorted(Comparator.comparing(Deployment::model).thenComparingLong(d -> Long.parseLong(d.version())))
        .map(d -> statistics.of(d.model(), d.version()))
        .toList();
    if (out.isEmpty() && !name.isEmpty()) {
      catalog.resolve(name, version);
      throw new UnknownModel("model '" + name + "' has no version '" + version + "'");
    }
    return out;
  }

  /** The descriptor's stages, as the router runs them. */
  private static StageChain chain(ModelDescriptor descriptor) {
    return new StageChain(
        descriptor.stages().stream().map(s -> new StageChain.Stage(s.inputs(), s.outputs())).toList(),
        descriptor.outputs().stream().map(TensorSpec::name).toList(),
        descriptor.hedgeAfter());
  }

  private Instant deadline(InferRequest request) {
    Duration timeout = request.timeout().orElse(defaultTimeout);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new InvalidInput("timeout must be above zero, got " + timeout.toMillis() + " ms");
    }
    if (timeout.compareTo(maxTimeout) > 0) {
      timeout = maxTimeout;
    }
    return Instant.now().plus(timeout);
  }
}
