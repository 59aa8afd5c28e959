package io.rigserve.serving.api.grpc;

import io.grpc.Status;
import io.rigserve.cluster.security.BearerAuth;
import io.rigserve.proto.inference.GRPCInferenceServicePowerApi;
import io.rigserve.proto.inference.ModelInferRequest;
import io.rigserve.proto.inference.ModelInferResponse;
import io.rigserve.proto.inference.ModelMetadataRequest;
import io.rigserve.proto.inference.ModelMetadataResponse;
import io.rigserve.proto.inference.ModelReadyRequest;
import io.rigserve.proto.inference.ModelReadyResponse;
import io.rigserve.proto.inference.ServerLiveRequest;
import io.rigserve.proto.inference.ServerLiveResponse;
import io.rigserve.proto.inference.ServerMetadataRequest;
import io.rigserve.proto.inference.ServerMetadataResponse;
import io.rigserve.proto.inference.ServerReadyRequest;
import io.rigserve.proto.inference.ServerReadyResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.grpc.GrpcServiceException;
import org.apache.pekko.grpc.javadsl.Metadata;

/**
 * The gRPC API behind the API-key check: {@code ModelInfer} needs metadata {@code authorization:
 * Bearer <key>} when keys are configured (UNAUTHENTICATED otherwise); health and metadata calls
 * stay open, as on REST. The check runs before the request is decoded.
 */
public final class AuthenticatedInferenceApi implements GRPCInferenceServicePowerApi {

  private final GRPCInferenceServicePowerApi api;
  private final BearerAuth auth;

  public AuthenticatedInferenceApi(GRPCInferenceServicePowerApi api, BearerAuth auth) {
    this.api = api;
    this.auth = auth;
  }

  @Override
  public CompletionStage<ModelInferResponse> modelInfer(ModelInferRequest in, Metadata metadata) {
    BearerAuth.Verdict verdict = auth.check(BearerAuth.Level.CLIENT, metadata.getText("authorization"));
    if (verdict instanceof BearerAuth.Verdict.Unauthenticated u) {
      return CompletableFuture.failedFuture(new GrpcServiceException(Status.UNAUTHENTICATED.withDescription(u.reason())));
    }
    if (verdict instanceof BearerAuth.Verdict.Forbidden f) {
      return CompletableFuture.failedFuture(new GrpcServiceException(Status.PERMISSION_DENIED.withDescription(f.reason())));
    }
    return api.modelInfer(in, metadata);
  }

  @Override
  public CompletionStage<ServerLiveResponse> serverLive(ServerLiveRequest in, Metadata metadata) {
    return api.serverLive(in, metadata);
  }

  @Override
  public CompletionStage<ServerReadyResponse> serverReady(ServerReadyRequest in, Metadata metadata) {
    return api.serverReady(in, metadata);
  }

  @Override
  public CompletionStage<ModelReadyResponse> modelReady(ModelReadyRequest in, Metadata metadata) {
    return api.modelReady(in, metadata);
  }

  @Override
  public CompletionStage<ServerMetadataResponse> serverMetadata(ServerMetadataRequest in, Metadata metadata) {
    return api.serverMetadata(in, metadata);
  }

  @Override
  public CompletionStage<ModelMetadataResponse> modelMetadata(ModelMetadataRequest in, Metadata metadata) {
    return api.modelMetadata(in, metadata);
  }
}
