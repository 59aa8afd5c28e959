package io.rigserve.serving.api.grpc;

import io.grpc.Status;
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
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.grpc.Trailers;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place that turns failures into gRPC status codes. */
final class GrpcErrors {

  private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  static org.apache.pekko.japi.Function<ActorSystem, org.apache.pekko.japi.Function<Throwable, Trailers>> handler() {
    return system -> GrpcErrors::trailers;
  }

  static Trailers trailers(Throwable failure) {
    return new Trailers(status(failure));
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
    log.error("unexpected failure answering a gRPC call", e);
    return Status.INTERNAL.withDescription("internal error: " + e);
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
