package io.rigserve.serving.api.grpc;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.opentelemetry.api.common.AttributeKey;
import io.rigserve.cluster.Failures;
import io.rigserve.proto.inference.GRPCInferenceServicePowerApi;
import io.rigserve.proto.inference.InferParameter;
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
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.error.ServingException;
import io.rigserve.serving.inference.InferRequest;
import io.rigserve.serving.inference.RequestPriority;
import io.rigserve.serving.inference.RequestTimeout;
import io.rigserve.serving.inference.InferResponse;
import io.rigserve.serving.inference.InferenceService;
import io.rigserve.serving.inference.ModelMetadata;
import io.rigserve.serving.trace.RequestTrace;
import io.rigserve.serving.trace.RequestTracer;
import io.rigserve.sharding.tensor.TensorSpec;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.grpc.Trailers;
import org.apache.pekko.grpc.javadsl.Metadata;
import org.apache.pekko.japi.Function;

/**
 * The Open Inference Protocol over gRPC. It only translates: every decision is made by
 * {@link InferenceService}. Responses use raw contents when the request did, or when an output
 * is FP16 or BF16 (which have no typed field).
 */
public final class GrpcInferenceApi implements GRPCInferenceServicePowerApi {

  private final InferenceService service;
  private final RequestTracer tracer;

  private static final AttributeKey<Long> GRPC_STATUS = AttributeKey.longKey("rpc.grpc.status_code");

  public GrpcInferenceApi(InferenceService service) {
    this(service, RequestTracer.untraced());
  }

  /** The gRPC API whose {@code ModelInfer} calls are traced by {@code tracer}. */
  public GrpcInferenceApi(InferenceService service, RequestTracer tracer) {
    this.service = service;
    this.tracer = tracer;
  }

  /** The error mapping to install with the generated handler. */
  public static Function<ActorSystem, Function<Throwable, Trailers>> errorHandler() {
    return GrpcErrors.handler();
  }

  @Override
  public CompletionStage<ServerLiveResponse> serverLive(ServerLiveRequest in, Metadata metadata) {
    return now(() -> ServerLiveResponse.newBuilder().setLive(service.live()).build());
  }

  @Override
  public CompletionStage<ServerReadyResponse> serverReady(ServerReadyRequest in, Metadata metadata) {
    return now(() -> ServerReadyResponse.newBuilder().setReady(service.ready()).build());
  }

  @Override
  public CompletionStage<ModelReadyResponse> modelReady(ModelReadyRequest in, Metadata metadata) {
    return now(() -> ModelReadyResponse.newBuilder().setReady(service.modelReady(in.getName(), in.getVersion())).build());
  }

  @Override
  public CompletionStage<ServerMetadataResponse> serverMetadata(ServerMetadataRequest in, Metadata metadata) {
    return now(() -> {
      var m = service.serverMetadata();
      return ServerMetadataResponse.newBuilder()
          .setName(m.name()).setVersion(m.version()).addAllExtensions(m.extensions()).build();
    });
  }

  @Override
  public CompletionStage<ModelMetadataResponse> modelMetadata(ModelMetadataRequest in, Metadata metadata) {
    return now(() -> {
      ModelMetadata m = service.modelMetadata(in.getName(), in.getVersion());
      return ModelMetadataResponse.newBuilder()
          .setName(m.name())
          .addAllVersions(m.versions())
          .setPlatform(m.platform())
          .addAllInputs(specs(m.inputs()))
          .addAllOutputs(specs(m.outputs()))
          .build();
    });
  }

  @Override
  public CompletionStage<ModelInferResponse> modelInfer(ModelInferRequest in, Metadata metadata) {
    RequestTrace trace = tracer.start("inference.GRPCInferenceService/ModelInfer", in.getModelName(),
        header -> metadata.getText(header).orElse(null));
    CompletionStage<ModelInferResponse> answer;
    try {
      boolean raw = in.getRawInputContentsCount() > 0;
      InferRequest request = decode(in, metadata);
      trace.identify(request.id());
      answer = trace.call(() -> service.infer(request)).thenApply(response -> encode(response, raw, trace.requestId()));
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    return answer.whenComplete((response, error) -> {
      // The status the error handler will answer (it logs what is unexpected; this does not log again).
      Status.Code code = error == null ? Status.Code.OK : Failures.find(error, ServingException.class)
          .map(e -> GrpcErrors.code(e.kind()).getCode()).orElse(Status.Code.INTERNAL);
      trace.end(GRPC_STATUS, code.value(), code == Status.Code.INTERNAL);
    });
  }

  private static InferRequest decode(ModelInferRequest in, Metadata metadata) {
    if (in.getModelName().isEmpty()) {
      throw new InvalidInput("model_name is empty");
    }
    if (in.getInputsCount() == 0) {
      throw new InvalidInput("the request has no inputs");
    }
    int raws = in.getRawInputContentsCount();
    if (raws > 0 && raws != in.getInputsCount()) {
      throw new InvalidInput("raw_input_contents has " + raws + " entries for " + in.getInputsCount()
          + " inputs: give one per input, in order, or none");
    }
    List<Tensor> inputs = new ArrayList<>(in.getInputsCount());
    for (int i = 0; i < in.getInputsCount(); i++) {
      inputs.add(GrpcTensors.decode(in.getInputs(i), raws > 0 ? in.getRawInputContents(i) : null, in.getSerializedSize()));
    }
    List<String> outputs = in.getOutputsList().stream().map(ModelInferRequest.InferRequestedOutputTensor::getName).toList();
    Map<String, Object> parameters = parameters(in.getParametersMap());
    RequestPriority.of(parameters); // checked only: replicas serve requests in arrival order
    return new InferRequest(in.getModelName(), in.getModelVersion(), in.getId(), inputs, outputs,
        timeout(parameters, metadata));
  }

  /** The response; its {@code id} is the client's, else the request id the rig gave the request. */
  private static ModelInferResponse encode(InferResponse response, boolean rawRequested, String requestId) {
    boolean raw = rawRequested
        || response.outputs().stream().anyMatch(t -> t.datatype() == DataType.FP16 || t.datatype() == DataType.BF16);
    List<ByteString> rawContents = raw ? new ArrayList<>() : null;
    ModelInferResponse.Builder out = ModelInferResponse.newBuilder()
        .setModelName(response.model())
        .setModelVersion(response.version())
        .setId(response.id().isEmpty() ? requestId : response.id());
    for (Tensor t : response.outputs()) {
      out.addOutputs(GrpcTensors.encode(t, rawContents));
    }
    if (raw) out.addAllRawOutputContents(rawContents);
    return out.build();
  }

  private static Map<String, Object> parameters(Map<String, InferParameter> params) {
    Map<String, Object> out = new LinkedHashMap<>();
    params.forEach((k, v) -> {
      switch (v.getParameterChoiceCase()) {
        case BOOL_PARAM -> out.put(k, v.getBoolParam());
        case INT64_PARAM -> out.put(k, v.getInt64Param());
        case STRING_PARAM -> out.put(k, v.getStringParam());
        case DOUBLE_PARAM -> out.put(k, v.getDoubleParam());
        case UINT64_PARAM -> out.put(k, unsigned(v.getUint64Param()));
        default -> { }
      }
    });
    return out;
  }

  /** A uint64 as the core reads parameters: a Long while it fits, else its BigInteger value. */
  private static Object unsigned(long bits) {
    return bits >= 0 ? (Object) bits : new BigInteger(Long.toUnsignedString(bits));
  }

  /** The client's deadline: the gRPC deadline (grpc-timeout) or a "timeout" parameter in µs. */
  private static Optional<Duration> timeout(Map<String, Object> parameters, Metadata metadata) {
    Optional<Duration> fromHeader = metadata.getText("grpc-timeout").flatMap(GrpcTimeout::parse);
    if (fromHeader.isPresent()) return fromHeader;
    return RequestTimeout.of(parameters);
  }

  private static List<ModelMetadataResponse.TensorMetadata> specs(List<TensorSpec> specs) {
    List<ModelMetadataResponse.TensorMetadata> out = new ArrayList<>();
    for (TensorSpec s : specs) {
      ModelMetadataResponse.TensorMetadata.Builder b = ModelMetadataResponse.TensorMetadata.newBuilder()
          .setName(s.name()).setDatatype(s.datatype().protocolName());
      for (long d : s.shape()) b.addShape(d);
      out.add(b.build());
    }
    return out;
  }

  private static <T> CompletionStage<T> now(Supplier<T> answer) {
    try {
      return CompletableFuture.completedFuture(answer.get());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
