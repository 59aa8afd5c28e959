package io.rigserve.serving.error;

/** No such model, or no such version of it, in the repository. */
public final class UnknownModel extends ServingException {
  public UnknownModel(String message) {
    super(ErrorKind.UNKNOWN_MODEL, message);
  }

  public UnknownModel(String message, Throwable cause) {
    super(ErrorKind.UNKNOWN_MODEL, message, cause);
  }
}
