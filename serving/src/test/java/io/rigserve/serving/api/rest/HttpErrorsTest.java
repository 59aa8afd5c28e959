package io.rigserve.serving.api.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.serving.error.DeadlineExceeded;
import io.rigserve.serving.error.ErrorKind;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.error.Overloaded;
import io.rigserve.serving.error.UnknownModel;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class HttpErrorsTest {

  @Test
  void everyKindIsAClientOrServiceStatusNeverAn500() {
    for (ErrorKind kind : ErrorKind.values()) {
      int status = HttpErrors.status(kind);
      assertTrue(status >= 400 && status < 600 && status != 500, kind + " -> " + status);
    }
  }

  @Test
  void eachKindHasItsProtocolStatus() {
    assertEquals(400, HttpErrors.status(ErrorKind.INVALID_INPUT));
    assertEquals(400, HttpErrors.status(ErrorKind.INVALID_MODEL));
    assertEquals(404, HttpErrors.status(ErrorKind.UNKNOWN_MODEL));
    assertEquals(409, HttpErrors.status(ErrorKind.CONFLICT));
    assertEquals(413, HttpErrors.status(ErrorKind.PAYLOAD_TOO_LARGE));
    assertEquals(429, HttpErrors.status(ErrorKind.OVERLOADED));
    assertEquals(503, HttpErrors.status(ErrorKind.MODEL_NOT_READY));
    assertEquals(503, HttpErrors.status(ErrorKind.NO_HEALTHY_REPLICA));
    assertEquals(504, HttpErrors.status(ErrorKind.DEADLINE_EXCEEDED));
  }

  @Test
  void aServingErrorWrappedByFuturesOrStreamsKeepsItsStatus() {
    assertEquals(404, HttpErrors.response(new CompletionException(new UnknownModel("no model 'x'"))).status().intValue());
    assertEquals(429, HttpErrors.response(new ExecutionException(new Overloaded("busy"))).status().intValue());
    assertEquals(504, HttpErrors.response(new RuntimeException("stage", new DeadlineExceeded("late"))).status().intValue());
    assertEquals(400, HttpErrors.response(new InvalidInput("bad")).status().intValue());
  }

  @Test
  void anUnexpectedFailureIsA500() {
    assertEquals(500, HttpErrors.response(new CompletionException(new IllegalStateException("bug"))).status().intValue());
  }
}
