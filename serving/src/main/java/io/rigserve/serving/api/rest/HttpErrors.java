package io.rigserve.serving.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.rigserve.cluster.http.JsonErrors;
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
import org.apache.pekko.http.javadsl.model.HttpResponse;

/** The one place that turns failures into HTTP statuses, with {@code {"error": "..."}} bodies. */
final class HttpErrors {

  private HttpErrors() {}

  static HttpResponse response(Throwable failure) {
    Throwable e = unwrap(failure);
    if (e instanceof ServingException s) {
      return error(status(s), s.getMessage());
    }
    if (e instanceof JsonProcessingException j) {
      return error(400, "malformed JSON: " + j.getOriginalMessage());
    }
    return JsonErrors.ofRequestFailure(failure).orElseGet(() -> JsonErrors.unexpected(e));
  }

  private static int status(ServingException e) {
    if (e instanceof InvalidInput || e instanceof InvalidModel) return 400;
    if (e instanceof UnknownModel) return 404;
    if (e instanceof ModelConflict) return 409;
    if (e instanceof PayloadTooLarge) return 413;
    if (e instanceof Overloaded) return 429;
    if (e instanceof ModelNotReady || e instanceof NoHealthyReplica) return 503;
    if (e instanceof DeadlineExceeded) return 504;
    return 500;
  }

  static HttpResponse error(int status, String message) {
    return JsonErrors.response(status, message);
  }

  /** The domain error behind {@code t} if there is one (streams wrap what a stage threw), else {@code t} unwrapped. */
  private static Throwable unwrap(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ServingException) return c;
    }
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof java.util.concurrent.ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

}
