package io.rigserve.serving.inference;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;

/**
 * The client's deadline as the {@code timeout} request parameter gives it: microseconds, as
 * Triton's schedule policy extension defines it, with 0 meaning the rig's default. The same rule
 * and the same message for REST and gRPC.
 */
public final class RequestTimeout {

  /** The request parameter that carries the deadline. */
  public static final String PARAMETER = "timeout";

  static final String REFUSAL =
      "parameter '" + PARAMETER + "' must be a non-negative integer number of microseconds (0: the default timeout)";

  private RequestTimeout() {}

  /**
   * The deadline in {@code parameters} (plain values: booleans, longs, big integers, doubles,
   * strings), if any.
   *
   * @throws io.rigserve.serving.error.InvalidInput if the parameter is there but not an unsigned integer
   */
  public static Optional<Duration> of(Map<String, Object> parameters) {
    long micros = UnsignedParameter.of(parameters, PARAMETER, REFUSAL).orElse(0);
    if (micros == 0) return Optional.empty();
    // Beyond Long.MAX_VALUE µs (292,000 years) every deadline is the same: the rig's ceiling.
    return Optional.of(Duration.of(micros < 0 ? Long.MAX_VALUE : micros, ChronoUnit.MICROS));
  }
}
