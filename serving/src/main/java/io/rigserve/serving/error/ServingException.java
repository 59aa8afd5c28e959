package io.rigserve.serving.error;

/**
 * A failure a client can see. Each kind is its own type; {@code HttpErrors} and {@code GrpcErrors}
 * are the only places that turn them into status codes.
 */
public abstract sealed class ServingException extends RuntimeException
    permits InvalidInput, UnknownModel, ModelNotReady, PayloadTooLarge, NoHealthyReplica,
        Overloaded, ModelConflict, InvalidModel, DeadlineExceeded {

  protected ServingException(String message) {
    super(message, null, false, false);
  }

  protected ServingException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
