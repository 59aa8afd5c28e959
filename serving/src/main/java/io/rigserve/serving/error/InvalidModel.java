package io.rigserve.serving.error;

/** An uploaded or stored model file is not a usable ONNX model. */
public final class InvalidModel extends ServingException {
  public InvalidModel(String message) {
    super(ErrorKind.INVALID_MODEL, message);
  }

  public InvalidModel(String message, Throwable cause) {
    super(ErrorKind.INVALID_MODEL, message, cause);
  }
}
