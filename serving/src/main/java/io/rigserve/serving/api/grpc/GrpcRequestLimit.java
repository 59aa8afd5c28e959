package io.rigserve.serving.api.grpc;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import scala.Option;

/**
 * Limits the body of every gRPC request: HTTP/2 streams do not get Pekko HTTP's content-length
 * limit. Past the limit the rest of the body is read and dropped (so the stream ends cleanly
 * instead of being reset) and the call fails as RESOURCE_EXHAUSTED; nothing beyond the limit is
 * held in memory.
 */
public final class GrpcRequestLimit {

  private GrpcRequestLimit() {}

  public static Function<HttpRequest, CompletionStage<HttpResponse>> apply(
      long maxBytes, Function<HttpRequest, CompletionStage<HttpResponse>> handler) {
    return request -> {
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
