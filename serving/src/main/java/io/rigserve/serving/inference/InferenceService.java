package io.rigserve.serving.inference;

import io.rigserve.serving.model.ModelCatalog;
import io.rigserve.serving.model.ModelDescriptor;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.error.ModelNotReady;
import io.rigserve.serving.routing.PipelineRouter;
import io.rigserve.serving.routing.StageChain;
import io.rigserve.sharding.tensor.TensorSpec;
import java.time.Duration;
import java.time.Instant;
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
  private static final List<String> EXTENSIONS = List.of("model_repository", "binary_tensor_data");

  private final ModelCatalog catalog;
  private final PipelineRouter router;
  private final Duration defaultTimeout;
  private final Duration maxTimeout;
  private final BooleanSupplier ready;

  /** {@code defaultTimeout} applies when a request names none; no request waits beyond {@code maxTimeout}. */
  public InferenceService(ModelCatalog catalog, PipelineRouter router, Duration defaultTimeout, Duration maxTimeout,
      BooleanSupplier ready) {
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

  public CompletionStage<InferResponse> infer(InferRequest request) {
    try {
      ModelCatalog.ServedVersion v = catalog.resolve(request.model(), request.version());
      InferRequestValidator.validate(request, v.descriptor().inputs(), v.descriptor().outputs());
      return router.run(v.name(), v.version(), chain(v.descriptor()), request.inputs(), request.outputs(), deadline(request))
          .thenApply(outputs -> new InferResponse(v.name(), v.version(), request.id(), Map.of(), outputs));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
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
