package io.rigserve.serving.inference;

import io.rigserve.serving.error.InvalidInput;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The client's deadline as the {@code timeout} request parameter gives it, in milliseconds: the
 * same rule and the same message for REST and gRPC.
 */
public final class RequestTimeout {

  /** The request parameter that carries the deadline. */
  public static final String PARAMETER = "timeout";

  private RequestTimeout() {}

  /**
   * The deadline in {@code parameters} (plain values: booleans, longs, doubles, strings), if any.
   *
   * @throws InvalidInput if the parameter is there but not a positive whole number
   */
  public static Optional<Duration> of(Map<String, Object> parameters) {
    Object t = parameters.get(PARAMETER);
    if (t == null) return Optional.empty();
    if (!(t instanceof Long ms) || ms <= 0) {
      throw new InvalidInput("parameter '" + PARAMETER + "' must be a positive integer number of milliseconds");
    }
    return Optional.of(Duration.ofMillis(ms));
  }
}
