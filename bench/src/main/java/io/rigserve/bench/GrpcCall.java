package io.rigserve.bench;

import io.rigserve.proto.inference.GRPCInferenceServiceClient;
import io.rigserve.proto.inference.ModelInferRequest;
import io.rigserve.proto.inference.ServerLiveRequest;
import java.util.concurrent.TimeUnit;

/** One call over gRPC with the generated client (inference with raw little-endian input contents). */
final class GrpcCall implements LoadLoop.Call {

  private final LoadLoop.Call call;

  private GrpcCall(LoadLoop.Call call) {
    this.call = call;
  }

  static GrpcCall infer(GRPCInferenceServiceClient client, ModelInferRequest request) {
    return new GrpcCall(() -> client.modelInfer(request).toCompletableFuture().get(10, TimeUnit.SECONDS));
  }

  /** The transport's floor: a liveness call that does no serving work. */
  static GrpcCall live(GRPCInferenceServiceClient client) {
    ServerLiveRequest request = ServerLiveRequest.getDefaultInstance();
    return new GrpcCall(() -> client.serverLive(request).toCompletableFuture().get(10, TimeUnit.SECONDS));
  }

  @Override
  public void run() throws Exception {
    call.run();
  }
}
