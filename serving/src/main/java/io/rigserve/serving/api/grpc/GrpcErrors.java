package io.rigserve.serving.api.grpc;

import io.grpc.Status;
import io.rigserve.cluster.http.ClientText;
import io.rigserve.serving.error.DeadlineExceeded;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.error.InvalidModel;
import io.rigserve.serving.error.ModelConflict;
import io.rigserve.serving.error.ModelNotReady;
import io.rigserve.serving.error.NoHealthyReplica;
import io.rigserve.serving.error.Overloaded;
import io.rigserve.serving.error.PayloadTooLarge;
import io.rigserve.serving.error.ServingException;
import io.rigserve.serving.error.UnknownModel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.grpc.Trailers;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place that turns failures into gRPC status codes. */
final class GrpcErrors {

  private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);
  private static final ContentType GRPC = ContentTypes.parse("application/grpc");

  private GrpcErrors() {}

  static org.apache.pekko.japi.Function<ActorSystem, org.apache.pekko.japi.Function<Throwable, Trailers>> handler() {
    return system -> GrpcErrors::trailers;
  }

  static Trailers trailers(Throwable failure) {
    Status status = status(failure);
    return new Trailers(status.withDescription(ClientText.message(status.getDescription())));
  }

  static Status status(Throwable failure) {
    Throwable e = failure;
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof EntityStreamSizeException size) {
        return Status.RESOURCE_EXHAUSTED.withDescription("request too large: the limit is " + size.limit() + " bytes");
      }
    }
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof ServingException s) {
      return code(s).withDescription(s.getMessage());
    }
    if (e instanceof org.apache.pekko.grpc.GrpcServiceException g) {
      return g.getStatus();
    }
    if (e instanceof com.google.protobuf.InvalidProtocolBufferException) {
      return Status.INVALID_ARGUMENT.withDescription("malformed protobuf: " + e.getMessage());
    }
    if (e instanceof UnsupportedOperationException) {
      // The generated handler's answer to a method of the service that rigserve does not implement.
      return Status.UNIMPLEMENTED.withDescription("method not implemented: " + e.getMessage());
    }
    log.error("unexpected failure answering a gRPC call", e);
    return Status.INTERNAL.withDescription("internal error: " + e.getClass().getSimpleName());
  }

  /**
   * A gRPC "trailers-only" answer, for a call refused before the generated handler sees it: the
   * status travels in the response headers and the stream ends there.
   */
  static HttpResponse trailersOnly(Status status, HttpHeader... extra) {
    List<HttpHeader> headers = new ArrayList<>();
    headers.add(RawHeader.create("grpc-status", Integer.toString(status.getCode().value())));
    if (status.getDescription() != null) {
      headers.add(RawHeader.create("grpc-message", percentEncoded(ClientText.message(status.getDescription()))));
    }
    headers.addAll(List.of(extra));
    return HttpResponse.create().withStatus(200).addHeaders(headers)
        .withEntity(HttpEntities.create(GRPC, new byte[0]));
  }

  /** grpc-message is percent-encoded UTF-8 outside printable ASCII (the gRPC HTTP/2 spec). */
  private static String percentEncoded(String message) {
    StringBuilder out = new StringBuilder();
    for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
      if (b >= 0x20 && b <= 0x7e && b != '%') out.append((char) b);
      else out.append('%').append(String.format("%02X", b & 0xff));
    }
    return out.toString();
  }

  private static Status code(ServingException e) {
    if (e instanceof InvalidInput || e instanceof InvalidModel) return Status.INVALID_ARGUMENT;
    if (e instanceof UnknownModel) return Status.NOT_FOUND;
    if (e instanceof ModelConflict) return Status.ALREADY_EXISTS;
    if (e instanceof PayloadTooLarge || e instanceof Overloaded) return Status.RESOURCE_EXHAUSTED;
    if (e instanceof ModelNotReady || e instanceof NoHealthyReplica) return Status.UNAVAILABLE;
    if (e instanceof DeadlineExceeded) return Status.DEADLINE_EXCEEDED;
    return Status.INTERNAL;
  }
}
