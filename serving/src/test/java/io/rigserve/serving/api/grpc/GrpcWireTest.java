package io.rigserve.serving.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import java.util.concurrent.CompletableFuture;
import io.rigserve.proto.inference.ModelReadyRequest;
import io.rigserve.proto.inference.ModelReadyResponse;
import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** What arrives on the gRPC port as raw bytes: malformed protobuf and oversized messages. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcWireTest {

  private TestRig rig;
  private ManagedChannel channel;

  @BeforeAll
  void start() throws Exception {
    Path repository = Files.createTempDirectory("rigserve-grpc-wire");
    ServedModels.writeRepository(repository);
    rig = TestRig.start(repository, "rigserve.serving.max-request-size = 1 MiB");
    channel = NettyChannelBuilder.forAddress("127.0.0.1", rig.rig.grpcPort()).usePlaintext()
        .maxInboundMessageSize(8 << 20).build();
  }

  @AfterAll
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    rig.close();
  }

  @Test
  void malformedProtobufIsInvalidArgumentAndTheRigKeepsServing() {
    byte[] garbage = {(byte) 0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x0f, 0x01};
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call("ModelInfer", garbage));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), String.valueOf(e.getStatus()));
    assertStillServes();
  }

  @Test
  void aMessageOverTheSizeLimitIsRefusedAndTheRigKeepsServing() {
    byte[] huge = new byte[2 << 20];
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call("ModelInfer", huge));
    assertTrue(e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED, String.valueOf(e.getStatus()));
    assertStillServes();
  }

  private void assertStillServes() {
    byte[] ready = call("ModelReady", ModelReadyRequest.newBuilder().setName("mlp").build().toByteArray());
    try {
      assertTrue(ModelReadyResponse.parseFrom(ready).getReady());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private byte[] call(String method, byte[] request) {
    MethodDescriptor<byte[], byte[]> descriptor = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName("inference.GRPCInferenceService/" + method)
        .setRequestMarshaller(RAW)
        .setResponseMarshaller(RAW)
        .build();
    ClientCall<byte[], byte[]> call = channel.newCall(descriptor, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS));
    CompletableFuture<byte[]> answer = new CompletableFuture<>();
    byte[][] received = new byte[1][];
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(byte[] message) {
        received[0] = message;
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        if (status.isOk()) answer.complete(received[0]);
        else answer.completeExceptionally(status.asRuntimeException(trailers));
      }
    }, new Metadata());
    call.request(1);
    call.sendMessage(request);
    call.halfClose();
    try {
      return answer.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (RuntimeException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  };
}
