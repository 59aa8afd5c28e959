package io.rigserve.serving.error;

/** The request's deadline passed before it could be answered. */
public final class DeadlineExceeded extends ServingException {
  public DeadlineExceeded(String message) {
    super(ErrorKind.DEADLINE_EXCEEDED, message);
  }

  public DeadlineExceeded(String message, Throwable cause) {
    super(ErrorKind.DEADLINE_EXCEEDED, message, cause);
  }
}
