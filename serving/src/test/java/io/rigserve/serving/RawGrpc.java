package io.rigserve.serving;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.CompressorRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real gRPC client (grpc-java over Netty) that sends any bytes as a unary request to any
 * method, with any metadata and compression: what a hostile client can put in a frame, and what
 * no generated stub would send.
 */
public final class RawGrpc implements AutoCloseable {

  /** The inference service, for a method named without one. */
  public static final String INFERENCE_SERVICE = "inference.GRPCInferenceService/";
  private static final Duration UNARY_PATIENCE = Duration.ofSeconds(30);

  /** The status, trailers and (for OK) the message of one call; {@code hung} when no status came in time. */
  public record Result(Status status, Metadata trailers, byte[] message, boolean hung) {}

  private final ManagedChannel channel;

  /** A connection to the rig's gRPC port; {@code compressors} null for grpc-java's own. */
  public RawGrpc(int port, CompressorRegistry compressors) {
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
        .maxInboundMessageSize(64 << 20).maxInboundMetadataSize(1 << 20);
    if (compressors != null) builder.compressorRegistry(compressors);
    channel = builder.build();
  }

  /** Calls the inference service's {@code method}: its answer, or its status thrown as a {@link StatusRuntimeException}. */
  public byte[] unary(String method, byte[] request) {
    return unary(method, request, new Metadata(), CallOptions.DEFAULT);
  }

  /** As {@link #unary(String, byte[])}; {@code method} may name its service ({@code "a.Service/Call"}). */
  public byte[] unary(String method, byte[] request, Metadata headers, CallOptions options) {
    String full = method.contains("/") ? method : INFERENCE_SERVICE + method;
    Result r;
    try {
      r = call(full, request, headers, options, UNARY_PATIENCE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    if (r.hung()) throw new AssertionError(full + ": no status within " + UNARY_PATIENCE.toSeconds() + " s");
    if (!r.status().isOk()) throw r.status().asRuntimeException(r.trailers());
    return r.message();
  }

  /** Sends {@code request} to the full {@code method} name as it is, waiting at most {@code patience} for the status. */
  public Result call(String method, byte[] request, Metadata headers, CallOptions options, Duration patience)
      throws InterruptedException {
    MethodDescriptor<byte[], byte[]> descriptor = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(method)
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
    ClientCall<byte[], byte[]> call = channel.newCall(descriptor,
        options.withDeadlineAfter(patience.toMillis() + 2_000, TimeUnit.MILLISECONDS));
    CompletableFuture<Result> answer = new CompletableFuture<>();
    byte[][] received = new byte[1][];
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(byte[] message) {
        received[0] = message;
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        answer.complete(new Result(status, trailers, received[0], false));
      }
    }, headers);
    call.request(1);
    call.sendMessage(request);
    call.halfClose();
    try {
      return answer.get(patience.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel("no answer within " + patience, null);
      return new Result(Status.DEADLINE_EXCEEDED, new Metadata(), null, true);
    } catch (ExecutionException e) {
      return new Result(Status.fromThrowable(e.getCause()), new Metadata(), null, false);
    }
  }

  /** {@code message} as gRPC frames it on the wire: uncompressed, its 4-byte big-endian length, its bytes. */
  public static byte[] frame(byte[] message) {
    return ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length).put(message).array();
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
