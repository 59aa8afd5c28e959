package io.rigserve.serving.api.grpc;

import java.time.Duration;
import java.util.Optional;

/** Parses the grpc-timeout header: up to 8 digits and a unit (H, M, S, m, u, n). */
final class GrpcTimeout {

  private GrpcTimeout() {}

  static Optional<Duration> parse(String value) {
    if (value == null || value.length() < 2 || value.length() > 9) return Optional.empty();
    long amount;
    try {
      amount = Long.parseLong(value.substring(0, value.length() - 1));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (amount <= 0) return Optional.empty();
    return switch (value.charAt(value.length() - 1)) {
      case 'H' -> Optional.of(Duration.ofHours(amount));
      case 'M' -> Optional.of(Duration.ofMinutes(amount));
      case 'S' -> Optional.of(Duration.ofSeconds(amount));
      case 'm' -> Optional.of(Duration.ofMillis(amount));
      case 'u' -> Optional.of(Duration.ofNanos(amount * 1_000));
      case 'n' -> Optional.of(Duration.ofNanos(amount));
      default -> Optional.empty();
    };
  }
}
