package io.rigserve.serving.error;

/** The request is malformed or does not fit the model (names, datatypes, shapes, contents). */
public final class InvalidInput extends ServingException {
  public InvalidInput(String message) {
    super(ErrorKind.INVALID_INPUT, message);
  }

  public InvalidInput(String message, Throwable cause) {
    super(ErrorKind.INVALID_INPUT, message, cause);
  }
}
