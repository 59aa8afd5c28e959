package io.rigserve.serving.error;

/** Every replica that could answer is full: the client should back off. */
public final class Overloaded extends ServingException {
  public Overloaded(String message) {
    super(ErrorKind.OVERLOADED, message);
  }

  public Overloaded(String message, Throwable cause) {
    super(ErrorKind.OVERLOADED, message, cause);
  }
}
