package io.rigserve.serving.api.grpc;

import io.rigserve.cluster.security.BearerAuth;
import io.rigserve.proto.health.Health;
import io.rigserve.proto.health.HealthHandlerFactory;
import io.rigserve.proto.inference.GRPCInferenceService;
import io.rigserve.proto.inference.GRPCInferenceServicePowerApiHandlerFactory;
import io.rigserve.proto.reflection.ServerReflection;
import io.rigserve.proto.reflection.ServerReflectionHandlerFactory;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.grpc.javadsl.ServiceHandler;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.Materializer;

/**
 * Everything the gRPC port serves, in one handler: the inference service (behind the API-key
 * check), {@code grpc.health.v1.Health}, and server reflection (v1 and v1alpha) over all of
 * them (so that grpcurl can list and call them); each request body limited, and what none of them
 * takes answered by {@link GrpcHttpFallback} (UNIMPLEMENTED for gRPC clients).
 */
public final class GrpcServices {

  private GrpcServices() {}

  @SuppressWarnings("unchecked") // the varargs of concatOrNotFound
  public static Function<HttpRequest, CompletionStage<HttpResponse>> handler(GrpcInferenceApi api, Health health,
      BearerAuth auth, long maxRequestBytes, ClassicActorSystemProvider system) {
    Materializer mat = Materializer.matFromSystem(system);
    ReflectionService reflection = new ReflectionService(List.of(GRPCInferenceService.description, Health.description,
        io.rigserve.proto.reflection.v1.ServerReflection.description, ServerReflection.description));
    Function<HttpRequest, CompletionStage<HttpResponse>> services = ServiceHandler.concatOrNotFound(
        GRPCInferenceServicePowerApiHandlerFactory.partial(new AuthenticatedInferenceApi(api, auth),
            GRPCInferenceService.name, mat, GrpcErrors.handler(), system),
        HealthHandlerFactory.partial(health, Health.name, mat, GrpcErrors.handler(), system),
        io.rigserve.proto.reflection.v1.ServerReflectionHandlerFactory.partial(reflection.v1(),
            io.rigserve.proto.reflection.v1.ServerReflection.name, mat, GrpcErrors.handler(), system),
        ServerReflectionHandlerFactory.partial(reflection, ServerReflection.name, mat, GrpcErrors.handler(), system));
    return GrpcHttpFallback.apply(GrpcRequestLimit.apply(maxRequestBytes, mat, services));
  }
}
