package io.rigserve.serving.api.grpc;

import io.grpc.Status;
import io.rigserve.cluster.http.ClientText;
import io.rigserve.proto.health.Health;
import io.rigserve.proto.health.HealthCheckRequest;
import io.rigserve.proto.health.HealthCheckResponse;
import io.rigserve.proto.health.HealthCheckResponse.ServingStatus;
import io.rigserve.serving.error.UnknownModel;
import io.rigserve.serving.inference.InferenceService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.grpc.GrpcServiceException;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The standard gRPC health service: service {@code ""} is the rig (SERVING when it is ready, as
 * {@code /v2/health/ready}), a model name is that model (SERVING when a version is servable).
 * Check answers NOT_FOUND for a model the cluster does not know; Watch reports SERVICE_UNKNOWN
 * for it, and every change of status, looked at every {@code interval}.
 */
public final class HealthService implements Health {

  private final InferenceService service;
  private final Duration interval;

  public HealthService(InferenceService service, Duration interval) {
    this.service = service;
    this.interval = interval;
  }

  @Override
  public CompletionStage<HealthCheckResponse> check(HealthCheckRequest in) {
    ServingStatus status = status(in.getService());
    if (status == ServingStatus.SERVICE_UNKNOWN) {
      return CompletableFuture.failedFuture(new GrpcServiceException(Status.NOT_FOUND.withDescription(
          "no service or model '" + ClientText.echo(in.getService()) + "'")));
    }
    return CompletableFuture.completedFuture(response(status));
  }

  @Override
  public Source<HealthCheckResponse, NotUsed> watch(HealthCheckRequest in) {
    String name = in.getService();
    return Source.tick(Duration.ZERO, interval, NotUsed.getInstance())
        .mapMaterializedValue(cancellable -> NotUsed.getInstance())
        .map(tick -> status(name))
        .statefulMapConcat(() -> {
          ServingStatus[] last = {null};
          return status -> {
            if (status == last[0]) return List.of();
            last[0] = status;
            return List.of(response(status));
          };
        });
  }

  private ServingStatus status(String name) {
    if (name.isEmpty()) return service.ready() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    try {
      return service.modelReady(name, "") ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    } catch (UnknownModel e) {
      return ServingStatus.SERVICE_UNKNOWN;
    }
  }

  private static HealthCheckResponse response(ServingStatus status) {
    return HealthCheckResponse.newBuilder().setStatus(status).build();
  }
}
