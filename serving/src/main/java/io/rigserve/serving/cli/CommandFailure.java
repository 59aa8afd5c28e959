package io.rigserve.serving.cli;

/** A command that could not do what it was asked: its message is printed and the CLI exits with 1. */
final class CommandFailure extends RuntimeException {

  CommandFailure(String message) {
    super(message);
  }

  CommandFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
