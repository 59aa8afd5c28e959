package io.rigserve.serving.api.grpc;

import io.grpc.Status;
import io.rigserve.cluster.security.BearerAuth;
import io.rigserve.proto.inference.GRPCInferenceServicePowerApi;
import io.rigserve.proto.inference.ModelConfigRequest;
import io.rigserve.proto.inference.ModelConfigResponse;
import io.rigserve.proto.inference.ModelStatisticsRequest;
import io.rigserve.proto.inference.ModelStatisticsResponse;
import io.rigserve.proto.inference.ModelStreamInferResponse;
import io.rigserve.proto.inference.RepositoryIndexRequest;
import io.rigserve.proto.inference.RepositoryIndexResponse;
import io.rigserve.proto.inference.RepositoryModelLoadRequest;
import io.rigserve.proto.inference.RepositoryModelLoadResponse;
import io.rigserve.proto.inference.RepositoryModelUnloadRequest;
import io.rigserve.proto.inference.RepositoryModelUnloadResponse;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.grpc.GrpcServiceException;
import org.apache.pekko.grpc.javadsl.Metadata;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The gRPC API behind the API-key check: {@code ModelInfer}, {@code ModelStreamInfer},
 * {@code ModelStatistics} and {@code RepositoryIndex} need metadata {@code authorization: Bearer
 * <key>} when keys are configured (UNAUTHENTICATED otherwise), repository loads and unloads the
 * admin token; health, metadata and config calls stay open, as on REST. The check runs before
 * the request is decoded.
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
    return refusal(BearerAuth.Level.CLIENT, metadata).<CompletionStage<ModelInferResponse>>map(CompletableFuture::failedFuture)
        .orElseGet(() -> api.modelInfer(in, metadata));
  }

  @Override
  public Source<ModelStreamInferResponse, NotUsed> modelStreamInfer(Source<ModelInferRequest, NotUsed> in, Metadata metadata) {
    return refusal(BearerAuth.Level.CLIENT, metadata).<Source<ModelStreamInferResponse, NotUsed>>map(Source::failed)
        .orElseGet(() -> api.modelStreamInfer(in, metadata));
  }

  @Override
  public CompletionStage<ModelStatisticsResponse> modelStatistics(ModelStatisticsRequest in, Metadata metadata) {
    return refusal(BearerAuth.Level.CLIENT, metadata).<CompletionStage<ModelStatisticsResponse>>map(CompletableFuture::failedFuture)
        .orElseGet(() -> api.modelStatistics(in, metadata));
  }

  @Override
  public CompletionStage<RepositoryIndexResponse> repositoryIndex(RepositoryIndexRequest in, Metadata metadata) {
    return refusal(BearerAuth.Level.CLIENT, metadata).<CompletionStage<RepositoryIndexResponse>>map(CompletableFuture::failedFuture)
        .orElseGet(() -> api.repositoryIndex(in, metadata));
  }

  @Override
  public CompletionStage<RepositoryModelLoadResponse> repositoryModelLoad(RepositoryModelLoadRequest in, Metadata metadata) {
    return refusal(BearerAuth.Level.ADMIN, metadata).<CompletionStage<RepositoryModelLoadResponse>>map(CompletableFuture::failedFuture)
        .orElseGet(() -> api.repositoryModelLoad(in, metadata));
  }

  @Override
  public CompletionStage<RepositoryModelUnloadResponse> repositoryModelUnload(RepositoryModelUnloadRequest in, Metadata metadata) {
    return refusal(BearerAuth.Level.ADMIN, metadata).<CompletionStage<RepositoryModelUnloadResponse>>map(CompletableFuture::failedFuture)
        .orElseGet(() -> api.repositoryModelUnload(in, metadata));
  }

  @Override
  public CompletionStage<ModelConfigResponse> modelConfig(ModelConfigRequest in, Metadata metadata) {
    return api.modelConfig(in, metadata);
  }

  /** Why the call's credentials do not reach {@code level}, or empty when they do. */
  private Optional<GrpcServiceException> refusal(BearerAuth.Level level, Metadata metadata) {
    BearerAuth.Verdict verdict = auth.check(level, metadata.getText("authorization"));
    if (verdict instanceof BearerAuth.Verdict.Unauthenticated u) {
      return Optional.of(new GrpcServiceException(Status.UNAUTHENTICATED.withDescription(u.reason())));
    }
    if (verdict instanceof BearerAuth.Verdict.Forbidden f) {
      return Optional.of(new GrpcServiceException(Status.PERMISSION_DENIED.withDescription(f.reason())));
    }
    return Optional.empty();
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
