package io.rigserve.serving.inference;

import java.util.Map;

/**
 * The {@code priority} request parameter of Triton's schedule policy extension: an unsigned
 * integer, 0 the default level, 1 the highest. Accepted and checked so that Triton's clients can
 * send it; rigserve's replicas serve requests in arrival order, so it changes nothing else.
 */
public final class RequestPriority {

  /** The request parameter that carries the priority. */
  public static final String PARAMETER = "priority";

  static final String REFUSAL = "parameter '" + PARAMETER + "' must be a non-negative integer (0: the default priority)";

  private RequestPriority() {}

  /**
   * The priority level as unsigned long bits; 0 when absent.
   *
   * @throws io.rigserve.serving.error.InvalidInput if the parameter is there but not an unsigned integer
   */
  public static long of(Map<String, Object> parameters) {
    return UnsignedParameter.of(parameters, PARAMETER, REFUSAL).orElse(0);
  }
}
