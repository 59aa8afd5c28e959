package io.rigserve.serving.error;

/**
 * A failure a client can see. Each subtype names one {@link ErrorKind}; {@code HttpErrors} and
 * {@code GrpcErrors} are the only places that turn kinds into status codes.
 */
public abstract sealed class ServingException extends RuntimeException
    permits InvalidInput, UnknownModel, ModelNotReady, PayloadTooLarge, NoHealthyReplica,
        Overloaded, ModelConflict, InvalidModel, DeadlineExceeded {

  private final ErrorKind kind;

  protected ServingException(ErrorKind kind, String message) {
    this(kind, message, null);
  }

  protected ServingException(ErrorKind kind, String message, Throwable cause) {
    super(message, cause, false, false);
    this.kind = kind;
  }

  public ErrorKind kind() {
    return kind;
  }
}
