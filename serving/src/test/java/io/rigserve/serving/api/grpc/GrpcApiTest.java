package io.rigserve.serving.api.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.rigserve.proto.inference.GRPCInferenceServiceClient;
import io.rigserve.proto.inference.InferParameter;
import io.rigserve.proto.inference.InferTensorContents;
import io.rigserve.proto.inference.ModelInferRequest;
import io.rigserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.rigserve.proto.inference.ModelInferResponse;
import io.rigserve.proto.inference.ModelMetadataRequest;
import io.rigserve.proto.inference.ModelMetadataResponse;
import io.rigserve.proto.inference.ModelReadyRequest;
import io.rigserve.proto.inference.ServerLiveRequest;
import io.rigserve.proto.inference.ServerMetadataRequest;
import io.rigserve.proto.inference.ServerReadyRequest;
import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import io.rigserve.serving.testmodels.TestModels;
import io.rigserve.serving.testmodels.TestTensors;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcApiTest {

  private TestRig rig;
  private GRPCInferenceServiceClient client;

  @BeforeAll
  void start() throws Exception {
    Path repository = Files.createTempDirectory("rigserve-grpc");
    ServedModels.writeRepository(repository);
    rig = TestRig.start(repository, "");
    client = GRPCInferenceServiceClient.create(
        GrpcClientSettings.connectToServiceAt("127.0.0.1", rig.rig.grpcPort(), rig.rig.system()).withTls(false),
        rig.rig.system());
  }

  @AfterAll
  void stop() throws Exception {
    client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    rig.close();
  }

  @Test
  void healthAndMetadataAnswerOverGrpc() throws Exception {
    assertTrue(await(client.serverLive(ServerLiveRequest.getDefaultInstance())).getLive());
    assertTrue(await(client.serverReady(ServerReadyRequest.getDefaultInstance())).getReady());
    assertEquals("rigserve", await(client.serverMetadata(ServerMetadataRequest.getDefaultInstance())).getName());
    assertTrue(await(client.modelReady(ModelReadyRequest.newBuilder().setName("mlp").build())).getReady());
    assertStatus(Status.Code.NOT_FOUND, "no version '9'",
        client.modelReady(ModelReadyRequest.newBuilder().setName("mlp").setVersion("9").build()));

    ModelMetadataResponse m = await(client.modelMetadata(ModelMetadataRequest.newBuilder().setName("mlp").build()));
    assertEquals(List.of("1"), m.getVersionsList());
    assertEquals("onnxruntime_onnx", m.getPlatform());
    ModelMetadataResponse.TensorMetadata features = m.getInputsList().stream()
        .filter(t -> t.getName().equals("features")).findFirst().orElseThrow();
    assertEquals("FP32", features.getDatatype());
    assertEquals(List.of(-1L, 4L), features.getShapeList());
    ModelMetadataResponse.TensorMetadata label = m.getOutputsList().stream()
        .filter(t -> t.getName().equals("label")).findFirst().orElseThrow();
    assertEquals("INT64", label.getDatatype());
  }

  @Test
  void typedContentsGiveWhatOnnxRuntimeGivesDirectly() throws Exception {
    float[] features = {0.5f, -1f, 2f, 0.25f};
    float[] offset = {0.1f, 0.2f, -0.3f};
    ModelInferRequest request = ModelInferRequest.newBuilder()
        .setModelName("mlp").setId("g-1")
        .addInputs(typed("features", "FP32", List.of(1L, 4L), InferTensorContents.newBuilder()
            .addFp32Contents(0.5f).addFp32Contents(-1f).addFp32Contents(2f).addFp32Contents(0.25f)))
        .addInputs(typed("offset", "FP32", List.of(1L, 3L), InferTensorContents.newBuilder()
            .addFp32Contents(0.1f).addFp32Contents(0.2f).addFp32Contents(-0.3f)))
        .build();
    ModelInferResponse response = await(client.modelInfer(request));
    assertEquals("g-1", response.getId());
    assertEquals("mlp", response.getModelName());
    assertEquals(0, response.getRawOutputContentsCount());

    Tensor[] direct = ServedModels.direct(ServedModels.MLP,
        TestTensors.fp32("features", new long[] {1, 4}, features), TestTensors.fp32("offset", new long[] {1, 3}, offset));
    var scores = output(response, "scores");
    float[] got = new float[scores.getContents().getFp32ContentsCount()];
    for (int i = 0; i < got.length; i++) got[i] = scores.getContents().getFp32Contents(i);
    assertArrayEquals(TestTensors.fp32Values(direct[0].name().equals("scores") ? direct[0] : direct[1]), got);
    var label = output(response, "label");
    assertEquals("INT64", label.getDatatype());
    assertEquals(1, label.getContents().getInt64ContentsCount());
  }

  @Test
  void rawContentsRoundTripEveryFixedSizeDatatypeAndBytes() throws Exception {
    ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName("types");
    for (DataType type : DataType.values()) {
      byte[] data = sample(type);
      long count = type == DataType.BYTES ? 2 : data.length / type.elementSize();
      request.addInputs(InferInputTensor.newBuilder()
          .setName(TestModels.identityInput(type)).setDatatype(type.name()).addShape(count));
      request.addRawInputContents(ByteString.copyFrom(data));
    }
    ModelInferResponse response = await(client.modelInfer(request.build()));
    assertEquals(DataType.values().length, response.getRawOutputContentsCount());
    for (int i = 0; i < response.getOutputsCount(); i++) {
      var out = response.getOutputs(i);
      DataType type = DataType.valueOf(out.getDatatype());
      assertEquals(TestModels.identityOutput(type), out.getName());
      assertEquals(ByteString.copyFrom(sample(type)), response.getRawOutputContents(i), type.name());
    }
  }

  @Test
  void aGrpcDeadlineOrTimeoutParameterIsAccepted() throws Exception {
    ModelInferRequest request = castRequest(List.of(1L, 2L), 3, 4)
        .putParameters("timeout", InferParameter.newBuilder().setInt64Param(5_000_000).build())
        .build();
    ModelInferResponse response = await(client.modelInfer(request));
    assertEquals(List.of(3.0, 4.0), output(response, "doubles").getContents().getFp64ContentsList());
  }

  @Test
  void tritonsTimeoutInMicrosecondsAndPriorityComeAsInt64OrUint64AndUnknownParametersAreIgnored() throws Exception {
    ModelInferRequest request = castRequest(List.of(1L, 2L), 5, 6)
        .putParameters("timeout", InferParameter.newBuilder().setUint64Param(5_000_000).build())
        .putParameters("priority", InferParameter.newBuilder().setUint64Param(-1L).build())
        .putParameters("sequence_id", InferParameter.newBuilder().setDoubleParam(0.5).build())
        .putParameters("custom", InferParameter.newBuilder().setStringParam("x").build())
        .build();
    ModelInferResponse response = await(client.modelInfer(request));
    assertEquals(List.of(5.0, 6.0), output(response, "doubles").getContents().getFp64ContentsList());
    assertStatus(Status.Code.DEADLINE_EXCEEDED, "deadline passed", client.modelInfer(castRequest(List.of(1L, 2L), 1, 2)
        .putParameters("timeout", InferParameter.newBuilder().setInt64Param(1).build()).build()));
  }

  @Test
  void aTimeoutOrPriorityOfTheWrongTypeIsInvalidArgument() {
    assertStatus(Status.Code.INVALID_ARGUMENT, "parameter 'timeout' must be a non-negative integer number of microseconds",
        client.modelInfer(castRequest(List.of(1L, 2L), 1, 2)
            .putParameters("timeout", InferParameter.newBuilder().setDoubleParam(1000.0).build()).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "parameter 'priority' must be a non-negative integer",
        client.modelInfer(castRequest(List.of(1L, 2L), 1, 2)
            .putParameters("priority", InferParameter.newBuilder().setInt64Param(-2).build()).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "parameter 'priority' must be a non-negative integer",
        client.modelInfer(castRequest(List.of(1L, 2L), 1, 2)
            .putParameters("priority", InferParameter.newBuilder().setBoolParam(true).build()).build()));
  }

  @Test
  void badRequestsGetTheRightStatusAndTheRigKeepsServing() throws Exception {
    assertStatus(Status.Code.NOT_FOUND, "unknown model", client.modelInfer(
        ModelInferRequest.newBuilder(castRequest(List.of(1L, 2L), 1, 2).build()).setModelName("nothing").build()));
    assertStatus(Status.Code.NOT_FOUND, "no version", client.modelInfer(
        ModelInferRequest.newBuilder(castRequest(List.of(1L, 2L), 1, 2).build()).setModelVersion("5").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "shape", client.modelInfer(castRequest(List.of(2L, 1L), 1, 2).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "needs 2", client.modelInfer(castRequest(List.of(1L, 2L), 1, 2, 3).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "only as raw_input_contents", client.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("types")
        .addInputs(typed(TestModels.identityInput(DataType.FP16), "FP16", List.of(1L), InferTensorContents.newBuilder().addFp32Contents(1f)))
        .build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "bytes of data", client.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("cast")
        .addInputs(InferInputTensor.newBuilder().setName("ints").setDatatype("INT32").addShape(1).addShape(2))
        .addRawInputContents(ByteString.copyFrom(new byte[7]))
        .build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "datatype", client.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("cast")
        .addInputs(typed("ints", "INT64", List.of(1L, 2L), InferTensorContents.newBuilder().addInt64Contents(1).addInt64Contents(2)))
        .build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "missing input", client.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("mlp")
        .addInputs(typed("features", "FP32", List.of(1L, 4L), InferTensorContents.newBuilder()
            .addFp32Contents(1).addFp32Contents(1).addFp32Contents(1).addFp32Contents(1)))
        .build()));
    assertStatus(Status.Code.NOT_FOUND, "unknown model", client.modelMetadata(ModelMetadataRequest.newBuilder().setName("nothing").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "more elements than the request can hold", client.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("cast")
        .addInputs(InferInputTensor.newBuilder().setName("ints").setDatatype("INT32").addShape(2147483647).addShape(2147483647))
        .addRawInputContents(ByteString.copyFrom(new byte[8]))
        .build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "parameter 'timeout' must be a non-negative integer number of microseconds",
        client.modelInfer(ModelInferRequest.newBuilder(castRequest(List.of(1L, 2L), 1, 2).build())
            .putParameters("timeout", InferParameter.newBuilder().setStringParam("soon").build()).build()));

    ModelInferResponse after = await(client.modelInfer(castRequest(List.of(1L, 2L), 7, 8).build()));
    assertEquals(List.of(7.0, 8.0), output(after, "doubles").getContents().getFp64ContentsList());
  }

  private static ModelInferRequest.Builder castRequest(List<Long> shape, int... values) {
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    for (int v : values) contents.addIntContents(v);
    return ModelInferRequest.newBuilder().setModelName("cast").addInputs(typed("ints", "INT32", shape, contents));
  }

  private static InferInputTensor typed(String name, String datatype, List<Long> shape, InferTensorContents.Builder contents) {
    return InferInputTensor.newBuilder().setName(name).setDatatype(datatype).addAllShape(shape).setContents(contents).build();
  }

  private static ModelInferResponse.InferOutputTensor output(ModelInferResponse response, String name) {
    return response.getOutputsList().stream().filter(o -> o.getName().equals(name)).findFirst().orElseThrow();
  }

  /** Two or three elements of each type, including extremes, as little-endian bytes. */
  private static byte[] sample(DataType type) {
    ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
    switch (type) {
      case BOOL -> b.put((byte) 1).put((byte) 0);
      case UINT8, INT8 -> b.put((byte) 0xff).put((byte) 0x7f).put((byte) 0x80);
      case UINT16, INT16, FP16, BF16 -> b.putShort((short) 0xffff).putShort((short) 0x3c00);
      case UINT32, INT32, FP32 -> b.putInt(0xffffffff).putInt(0x3f800000);
      case UINT64, INT64, FP64 -> b.putLong(-1L).putLong(Long.MIN_VALUE);
      case BYTES -> b.putInt(2).put((byte) 'h').put((byte) 'i').putInt(0);
    }
    byte[] out = new byte[b.position()];
    b.flip().get(out);
    return out;
  }

  private static void assertStatus(Status.Code code, String fragment, CompletionStage<?> call) {
    try {
      call.toCompletableFuture().get(30, TimeUnit.SECONDS);
      throw new AssertionError("expected " + code + " but the call succeeded");
    } catch (ExecutionException e) {
      Status status = statusOf(e.getCause());
      assertEquals(code, status.getCode(), String.valueOf(status.getDescription()));
      assertTrue(String.valueOf(status.getDescription()).contains(fragment),
          "expected '" + fragment + "' in: " + status.getDescription());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Status statusOf(Throwable t) {
    if (t instanceof StatusRuntimeException s) return s.getStatus();
    if (t instanceof StatusException s) return s.getStatus();
    throw new AssertionError("not a gRPC status: " + t, t);
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
