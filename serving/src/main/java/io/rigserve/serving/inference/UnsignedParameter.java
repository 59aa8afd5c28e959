package io.rigserve.serving.inference;

import io.rigserve.serving.error.InvalidInput;
import java.math.BigInteger;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A request parameter that holds an unsigned 64-bit integer, as Triton's {@code timeout} and
 * {@code priority} do: a non-negative int64, or a uint64 (above {@link Long#MAX_VALUE} a front end
 * hands it over as a {@link BigInteger}). Anything else is the client's error.
 */
final class UnsignedParameter {

  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private UnsignedParameter() {}

  /**
   * The parameter's value as unsigned long bits, or empty when it is absent.
   *
   * @throws InvalidInput with {@code refusal} when it is there but not an unsigned 64-bit integer
   */
  static OptionalLong of(Map<String, Object> parameters, String name, String refusal) {
    Object v = parameters.get(name);
    if (v == null) return OptionalLong.empty();
    if (v instanceof Long n && n >= 0) return OptionalLong.of(n);
    if (v instanceof BigInteger n && n.signum() >= 0 && n.compareTo(UINT64_MAX) <= 0) return OptionalLong.of(n.longValue());
    throw new InvalidInput(refusal);
  }
}
