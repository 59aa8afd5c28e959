package io.rigserve.serving.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.grpc.Status;
import io.rigserve.serving.error.ErrorKind;
import io.rigserve.serving.error.ModelNotReady;
import io.rigserve.serving.error.PayloadTooLarge;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.impl.engine.HttpIdleTimeoutException;
import org.junit.jupiter.api.Test;
import scala.concurrent.duration.FiniteDuration;

class GrpcErrorsTest {

  private static final Set<Status.Code> NEVER_A_CLIENT_ERROR =
      Set.of(Status.Code.OK, Status.Code.UNKNOWN, Status.Code.INTERNAL, Status.Code.UNIMPLEMENTED, Status.Code.DATA_LOSS);

  @Test
  void everyKindHasACodeThatIsNotInternal() {
    for (ErrorKind kind : ErrorKind.values()) {
      Status.Code code = GrpcErrors.code(kind).getCode();
      assertEquals(false, NEVER_A_CLIENT_ERROR.contains(code), kind + " -> " + code);
    }
  }

  @Test
  void eachKindHasItsProtocolCode() {
    assertEquals(Status.Code.INVALID_ARGUMENT, GrpcErrors.code(ErrorKind.INVALID_INPUT).getCode());
    assertEquals(Status.Code.INVALID_ARGUMENT, GrpcErrors.code(ErrorKind.INVALID_MODEL).getCode());
    assertEquals(Status.Code.NOT_FOUND, GrpcErrors.code(ErrorKind.UNKNOWN_MODEL).getCode());
    assertEquals(Status.Code.ALREADY_EXISTS, GrpcErrors.code(ErrorKind.CONFLICT).getCode());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, GrpcErrors.code(ErrorKind.PAYLOAD_TOO_LARGE).getCode());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, GrpcErrors.code(ErrorKind.OVERLOADED).getCode());
    assertEquals(Status.Code.UNAVAILABLE, GrpcErrors.code(ErrorKind.MODEL_NOT_READY).getCode());
    assertEquals(Status.Code.UNAVAILABLE, GrpcErrors.code(ErrorKind.NO_HEALTHY_REPLICA).getCode());
    assertEquals(Status.Code.DEADLINE_EXCEEDED, GrpcErrors.code(ErrorKind.DEADLINE_EXCEEDED).getCode());
  }

  @Test
  void aWrappedServingErrorKeepsItsCodeAndMessage() {
    Status s = GrpcErrors.status(new CompletionException(new ModelNotReady("loading")));
    assertEquals(Status.Code.UNAVAILABLE, s.getCode());
    assertEquals("loading", s.getDescription());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED,
        GrpcErrors.status(new ExecutionException(new PayloadTooLarge("big"))).getCode());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED,
        GrpcErrors.status(new RuntimeException("stream", new PayloadTooLarge("big"))).getCode());
  }

  @Test
  void aRequestWhoseConnectionWentSilentIsCancelledNotInternal() {
    // What Pekko HTTP fails the request body with when the idle timeout closes the connection mid-call.
    var idle = new HttpIdleTimeoutException("HTTP idle-timeout encountered", FiniteDuration.create(15, TimeUnit.SECONDS));
    Status s = GrpcErrors.status(new CompletionException(new RuntimeException("entity stream", idle)));
    assertEquals(Status.Code.CANCELLED, s.getCode(), String.valueOf(s));
  }

  @Test
  void anUnexpectedFailureIsInternal() {
    assertNotEquals(Status.Code.OK, GrpcErrors.status(new IllegalStateException("bug")).getCode());
    assertEquals(Status.Code.INTERNAL, GrpcErrors.status(new CompletionException(new IllegalStateException("bug"))).getCode());
  }
}
