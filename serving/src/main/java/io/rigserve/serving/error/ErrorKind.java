package io.rigserve.serving.error;

/**
 * What kind of failure a client sees. {@code HttpErrors} and {@code GrpcErrors} switch over every
 * kind without a default, so a new kind does not compile until both front ends give it a status.
 */
public enum ErrorKind {
  /** The request is malformed or does not fit the model. */
  INVALID_INPUT,
  /** An uploaded model is not one rigserve can serve. */
  INVALID_MODEL,
  /** No such model or version. */
  UNKNOWN_MODEL,
  /** The change conflicts with what is deployed now. */
  CONFLICT,
  /** The request or upload is larger than a limit. */
  PAYLOAD_TOO_LARGE,
  /** Every replica that could run the request is busy. */
  OVERLOADED,
  /** The model is known but not servable yet (or any more). */
  MODEL_NOT_READY,
  /** No replica of a stage answered. */
  NO_HEALTHY_REPLICA,
  /** The client's deadline passed before the answer was ready. */
  DEADLINE_EXCEEDED
}
