package io.rigserve.serving.fuzz;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.CompressorRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real gRPC client (grpc-java over Netty) that sends any bytes as a unary request to any
 * method of the inference service, with any metadata: what a hostile client can put in a frame.
 */
final class RawGrpc implements AutoCloseable {

  /** The status and (for OK) the message of one call; {@code hung} when no status came in time. */
  record Result(Status status, byte[] message, boolean hung) {}

  private final ManagedChannel channel;

  RawGrpc(int port, CompressorRegistry compressors) {
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
        .maxInboundMessageSize(64 << 20).maxInboundMetadataSize(1 << 20);
    if (compressors != null) builder.compressorRegistry(compressors);
    channel = builder.build();
  }

  Result call(String method, byte[] request, Metadata headers, CallOptions options) throws InterruptedException {
    MethodDescriptor<byte[], byte[]> descriptor = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(method)
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
    ClientCall<byte[], byte[]> call = channel.newCall(descriptor,
        options.withDeadlineAfter(FuzzRun.PATIENCE.toMillis() + 2_000, TimeUnit.MILLISECONDS));
    CompletableFuture<Result> answer = new CompletableFuture<>();
    byte[][] received = new byte[1][];
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(byte[] message) {
        received[0] = message;
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        answer.complete(new Result(status, received[0], false));
      }
    }, headers);
    call.request(1);
    call.sendMessage(request);
    call.halfClose();
    try {
      return answer.get(FuzzRun.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel("no answer within " + FuzzRun.PATIENCE, null);
      return new Result(Status.DEADLINE_EXCEEDED, null, true);
    } catch (ExecutionException e) {
      return new Result(Status.fromThrowable(e.getCause()), null, false);
    }
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
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
