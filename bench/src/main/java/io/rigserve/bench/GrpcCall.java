package io.rigserve.bench;

import io.rigserve.proto.inference.GRPCInferenceServiceClient;
import io.rigserve.proto.inference.ModelInferRequest;
import java.util.concurrent.TimeUnit;

/** One inference over gRPC with the generated client (raw little-endian input contents). */
final class GrpcCall implements LoadLoop.Call {

  private final GRPCInferenceServiceClient client;
  private final ModelInferRequest request;

  GrpcCall(GRPCInferenceServiceClient client, ModelInferRequest request) {
    this.client = client;
    this.request = request;
  }

  @Override
  public void run() throws Exception {
    client.modelInfer(request).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
