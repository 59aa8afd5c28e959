package io.rigserve.serving.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.rigserve.cluster.Failures;
import io.rigserve.cluster.http.JsonErrors;
import io.rigserve.serving.error.ErrorKind;
import io.rigserve.serving.error.ServingException;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/** The one place that turns failures into HTTP statuses, with {@code {"error": "..."}} bodies. */
final class HttpErrors {

  private HttpErrors() {}

  static HttpResponse response(Throwable failure) {
    var serving = Failures.find(failure, ServingException.class);
    if (serving.isPresent()) {
      return error(status(serving.get().kind()), serving.get().getMessage());
    }
    Throwable e = Failures.unwrap(failure);
    if (e instanceof JsonProcessingException j) {
      return error(400, "malformed JSON: " + j.getOriginalMessage());
    }
    return JsonErrors.ofRequestFailure(failure).orElseGet(() -> JsonErrors.unexpected(e));
  }

  /** Every kind has its status; no default, so a new kind must be given one here to compile. */
  static int status(ErrorKind kind) {
    return switch (kind) {
      case INVALID_INPUT, INVALID_MODEL -> 400;
      case UNKNOWN_MODEL -> 404;
      case CONFLICT -> 409;
      case PAYLOAD_TOO_LARGE -> 413;
      case OVERLOADED -> 429;
      case MODEL_NOT_READY, NO_HEALTHY_REPLICA -> 503;
      case DEADLINE_EXCEEDED -> 504;
    };
  }

  static HttpResponse error(int status, String message) {
    return JsonErrors.response(status, message);
  }
}
