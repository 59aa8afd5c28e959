package io.rigserve.serving.error;

/** The request or upload is larger than the configured limit. */
public final class PayloadTooLarge extends ServingException {
  public PayloadTooLarge(String message) {
    super(ErrorKind.PAYLOAD_TOO_LARGE, message);
  }

  public PayloadTooLarge(String message, Throwable cause) {
    super(ErrorKind.PAYLOAD_TOO_LARGE, message, cause);
  }
}
