package io.rigserve.serving.error;

/** No replica of some partition could answer; the message names the partition. */
public final class NoHealthyReplica extends ServingException {
  public NoHealthyReplica(String message) {
    super(ErrorKind.NO_HEALTHY_REPLICA, message);
  }

  public NoHealthyReplica(String message, Throwable cause) {
    super(ErrorKind.NO_HEALTHY_REPLICA, message, cause);
  }
}
