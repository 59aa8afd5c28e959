package io.rigserve.serving.error;

/** The model exists but is not loaded (unloaded, loading, or failed to load). */
public final class ModelNotReady extends ServingException {
  public ModelNotReady(String message) {
    super(ErrorKind.MODEL_NOT_READY, message);
  }

  public ModelNotReady(String message, Throwable cause) {
    super(ErrorKind.MODEL_NOT_READY, message, cause);
  }
}
