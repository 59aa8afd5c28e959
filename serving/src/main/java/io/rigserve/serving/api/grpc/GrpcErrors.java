package io.rigserve.serving.api.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.rigserve.cluster.Failures;
import io.rigserve.cluster.http.ClientText;
import io.rigserve.serving.error.ErrorKind;
import io.rigserve.serving.error.ServingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.grpc.GrpcServiceException;
import org.apache.pekko.grpc.Trailers;
import org.apache.pekko.http.impl.engine.HttpIdleTimeoutException;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.japi.Function;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place that turns failures into gRPC status codes. */
final class GrpcErrors {

  private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);
  private static final ContentType GRPC = ContentTypes.parse("application/grpc");

  private GrpcErrors() {}

  static Function<ActorSystem, Function<Throwable, Trailers>> handler() {
    return system -> GrpcErrors::trailers;
  }

  static Trailers trailers(Throwable failure) {
    Status status = status(failure);
    return new Trailers(status.withDescription(ClientText.message(status.getDescription())));
  }

  static Status status(Throwable failure) {
    var size = Failures.find(failure, EntityStreamSizeException.class);
    if (size.isPresent()) {
      return Status.RESOURCE_EXHAUSTED.withDescription("request too large: the limit is " + size.get().limit() + " bytes");
    }
    if (Failures.find(failure, HttpIdleTimeoutException.class).isPresent()) {
      // The client went silent mid-request, not even answering the keep-alive pings: its doing, not a bug.
      return Status.CANCELLED.withDescription("the request did not arrive whole: its connection was silent too long");
    }
    var serving = Failures.find(failure, ServingException.class);
    if (serving.isPresent()) {
      return code(serving.get().kind()).withDescription(serving.get().getMessage());
    }
    Throwable e = Failures.unwrap(failure);
    if (e instanceof GrpcServiceException g) {
      return g.getStatus();
    }
    if (e instanceof InvalidProtocolBufferException) {
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

  /** Every kind has its code; no default, so a new kind must be given one here to compile. */
  static Status code(ErrorKind kind) {
    return switch (kind) {
      case INVALID_INPUT, INVALID_MODEL -> Status.INVALID_ARGUMENT;
      case UNKNOWN_MODEL -> Status.NOT_FOUND;
      case CONFLICT -> Status.ALREADY_EXISTS;
      case PAYLOAD_TOO_LARGE, OVERLOADED -> Status.RESOURCE_EXHAUSTED;
      case MODEL_NOT_READY, NO_HEALTHY_REPLICA -> Status.UNAVAILABLE;
      case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
    };
  }
}
