package io.rigserve.serving.inference;

import io.rigserve.serving.ServingSettings;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.repository.ModelRepository;
import io.rigserve.serving.repository.ModelVersion;
import io.rigserve.serving.routing.Router;
import io.rigserve.sharding.replica.StageInput;
import io.rigserve.sharding.tensor.Tensor;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
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
  private static final List<String> EXTENSIONS = List.of("model_repository");

  private final ModelRepository repository;
  private final Router router;
  private final ServingSettings settings;
  private final BooleanSupplier clusterReady;

  public InferenceService(ModelRepository repository, Router router, ServingSettings settings, BooleanSupplier clusterReady) {
    this.repository = repository;
    this.router = router;
    this.settings = settings;
    this.clusterReady = clusterReady;
  }

  public boolean live() {
    return true;
  }

  /** Ready: the rig is a member of its cluster and the models it was asked to serve are loaded. */
  public boolean ready() {
    return clusterReady.getAsBoolean() && repository.allReady();
  }

  public boolean modelReady(String name, String version) {
    try {
      return repository.resolve(name, version).ready();
    } catch (io.rigserve.serving.error.ModelNotReady e) {
      return false;
    }
  }

  public ServerMetadata serverMetadata() {
    return new ServerMetadata(SERVER_NAME, SERVER_VERSION, EXTENSIONS);
  }

  public ModelMetadata modelMetadata(String name, String version) {
    ModelVersion v = repository.resolve(name, version);
    List<String> versions = repository.versions(name).stream().filter(ModelVersion::ready).map(ModelVersion::version).toList();
    return new ModelMetadata(name, versions, ModelMetadata.ONNX_PLATFORM, v.inputs(), v.outputs());
  }

  public CompletionStage<InferResponse> infer(InferRequest request) {
    try {
      ModelVersion v = repository.resolve(request.model(), request.version());
      InferRequestValidator.validate(request, v.inputs(), v.outputs());
      StageInput input = new StageInput(
          request.inputs().toArray(new Tensor[0]), request.outputs().toArray(new String[0]));
      return router.run(v.name(), v.version(), input, deadline(request))
          .thenApply(outputs -> new InferResponse(v.name(), v.version(), request.id(), Map.of(), Arrays.asList(outputs)));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private Instant deadline(InferRequest request) {
    Duration timeout = request.timeout().orElse(settings.defaultTimeout());
    if (timeout.isNegative() || timeout.isZero()) {
      throw new InvalidInput("timeout must be above zero, got " + timeout.toMillis() + " ms");
    }
    if (timeout.compareTo(settings.maxTimeout()) > 0) {
      timeout = settings.maxTimeout();
    }
    return Instant.now().plus(timeout);
  }
}
