package io.rigserve.serving.api.grpc;

import io.grpc.Status;
import io.rigserve.cluster.http.ClientText;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import scala.Option;

/**
 * Limits the body of every gRPC request (each message of a streaming one, {@link GrpcMessageLimit}):
 * HTTP/2 streams do not get Pekko HTTP's content-length limit. Past the limit the rest of the body
 * is read and dropped (so the stream ends cleanly instead of being reset) and the call fails as
 * RESOURCE_EXHAUSTED; nothing beyond the limit is held in memory.
 *
 * <p>Compressed requests are refused with UNIMPLEMENTED and {@code grpc-accept-encoding:
 * identity}, as the gRPC spec says for an encoding the server does not support: Pekko gRPC
 * inflates a message whole in memory, so a small request could inflate past any limit.
 */
public final class GrpcRequestLimit {

  private GrpcRequestLimit() {}

  private static final String ENCODING = "grpc-encoding";
  /** Methods whose requests are streams: their limit is per message (the body grows with the stream's life). */
  private static final Set<String> STREAMING = Set.of("/inference.GRPCInferenceService/ModelStreamInfer",
      "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo");

  public static Function<HttpRequest, CompletionStage<HttpResponse>> apply(
      long maxBytes, Materializer materializer, Function<HttpRequest, CompletionStage<HttpResponse>> handler) {
    return request -> {
      Optional<String> encoding = request.getHeader(ENCODING).map(HttpHeader::value);
      if (encoding.isPresent() && !encoding.get().trim().equalsIgnoreCase("identity")) {
        request.discardEntityBytes(materializer);
        return CompletableFuture.completedFuture(GrpcErrors.trailersOnly(
            Status.UNIMPLEMENTED.withDescription("grpc-encoding '" + ClientText.echo(encoding.get())
                + "' is not supported: send messages uncompressed"),
            RawHeader.create("grpc-accept-encoding", "identity")));
      }
      if (STREAMING.contains(request.getUri().path())) {
        Source<ByteString, ?> messages = GrpcMessageLimit.apply(request.entity().getDataBytes(), maxBytes);
        return handler.apply(request.withEntity(HttpEntities.create(request.entity().getContentType(), messages)));
      }
      AtomicLong seen = new AtomicLong();
      Source<ByteString, ?> body = request.entity().getDataBytes()
          .filter(chunk -> seen.addAndGet(chunk.size()) <= maxBytes)
          .concatLazy(Source.lazySource(() -> seen.get() > maxBytes
              ? Source.<ByteString>failed(new EntityStreamSizeException(maxBytes, Option.apply(seen.get())))
              : Source.<ByteString>empty()));
      return handler.apply(request.withEntity(HttpEntities.create(request.entity().getContentType(), body)));
    };
  }
}
