package io.rigserve.serving.api.grpc;

import io.grpc.Status;
import io.rigserve.cluster.http.ClientText;
import io.rigserve.cluster.http.JsonErrors;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.function.Function;

/**
 * What the gRPC port answers to calls the generated handler does not take (an unknown service,
 * a path that is no method, a request that is not gRPC): a gRPC client gets UNIMPLEMENTED, any
 * other client a JSON error, instead of the handler's empty 404 or 415.
 */
public final class GrpcHttpFallback {

  private GrpcHttpFallback() {}

  public static Function<HttpRequest, CompletionStage<HttpResponse>> apply(
      Function<HttpRequest, CompletionStage<HttpResponse>> handler) {
    return request -> handler.apply(request).thenApply(response -> {
      int status = response.status().intValue();
      if ((status != 404 && status != 415) || !response.entity().isKnownEmpty()) return response;
      String path = ClientText.echo(request.getUri().path());
      if (request.entity().getContentType().mediaType().toString().startsWith("application/grpc")) {
        return GrpcErrors.trailersOnly(Status.UNIMPLEMENTED.withDescription("no gRPC method " + path + " here"));
      }
      return status == 404
          ? JsonErrors.response(404, "nothing at " + path + " on the gRPC port: gRPC clients call /inference.GRPCInferenceService/<method>")
          : JsonErrors.response(415, "the gRPC port takes application/grpc requests");
    });
  }
}
