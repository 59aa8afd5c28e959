package io.rigserve.serving.api.grpc;

import io.grpc.Status;
import io.rigserve.cluster.http.ClientText;
import io.rigserve.proto.inference.ModelInferRequest;
import io.rigserve.proto.inference.ModelInferResponse;
import io.rigserve.proto.inference.ModelStreamInferResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@code ModelStreamInfer}: each request of the stream runs as a {@code ModelInfer} would; its
 * answer carries the request's id, and its failure becomes that answer's {@code error_message}
 * so the stream goes on. At most {@code concurrency} requests of one stream run at once:
 * the stream reads no further request (backpressure) until one answers. Answers come in the
 * order they complete.
 */
final class StreamInfer {

  private StreamInfer() {}

  static Source<ModelStreamInferResponse, NotUsed> run(Source<ModelInferRequest, NotUsed> requests, int concurrency,
      Function<ModelInferRequest, CompletionStage<ModelInferResponse>> infer) {
    return requests.mapAsyncUnordered(concurrency, request -> answer(request, infer));
  }

  private static CompletionStage<ModelStreamInferResponse> answer(ModelInferRequest request,
      Function<ModelInferRequest, CompletionStage<ModelInferResponse>> infer) {
    CompletionStage<ModelInferResponse> response;
    try {
      response = infer.apply(request);
    } catch (RuntimeException e) {
      response = CompletableFuture.failedFuture(e);
    }
    return response.handle((ok, error) -> error == null
        ? ModelStreamInferResponse.newBuilder().setInferResponse(ok).build()
        : failure(request, GrpcErrors.status(error)));
  }

  /** The error of one request, tagged like its answer would have been (model, version, id). */
  private static ModelStreamInferResponse failure(ModelInferRequest request, Status status) {
    String message = status.getCode() + ": " + (status.getDescription() == null ? "" : status.getDescription());
    return ModelStreamInferResponse.newBuilder()
        .setErrorMessage(ClientText.message(message))
        .setInferResponse(ModelInferResponse.newBuilder()
            .setModelName(request.getModelName())
            .setModelVersion(request.getModelVersion())
            .setId(request.getId()))
        .build();
  }
}
