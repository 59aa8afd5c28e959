package io.rigserve.serving.runtime;

/**
 * A model could not be loaded: the file is missing or not ONNX, an operator is unsupported, or an
 * input has a type the protocol cannot carry. The message says which, in ONNX Runtime's words
 * where it is the one refusing. Unchecked so that loading can run inside asynchronous stages.
 */
public final class ModelLoadException extends RuntimeException {

  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
