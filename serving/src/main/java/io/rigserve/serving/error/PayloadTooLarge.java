package io.rigserve.serving.error;

/** The request or upload is larger than the configured limit. */
public final class PayloadTooLarge extends ServingException {
  public PayloadTooLarge(String message) {
    super(message);
  }

  public PayloadTooLarge(String message, Throwable cause) {
    super(message, cause);
  }
}
