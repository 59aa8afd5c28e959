package io.rigserve.serving.error;

/** The change conflicts with the repository's state (for example an existing version). */
public final class ModelConflict extends ServingException {
  public ModelConflict(String message) {
    super(ErrorKind.CONFLICT, message);
  }

  public ModelConflict(String message, Throwable cause) {
    super(ErrorKind.CONFLICT, message, cause);
  }
}
