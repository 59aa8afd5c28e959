package io.rigserve.serving;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/** The serving module's settings ({@code rigserve.serving}, {@code rigserve.repository}), read once at start. */
public record ServingSettings(
    String httpHost,
    int httpPort,
    int grpcPort,
    long maxRequestBytes,
    Duration bodyTimeout,
    Duration idleTimeout,
    Duration defaultTimeout,
    Duration maxTimeout,
    Path repositoryPath,
    long maxUploadBytes,
    int maxUploadsInFlight,
    long maxDiskBytes,
    boolean demoModel,
    Duration loadTimeout,
    Duration attemptTimeout,
    int breakerFailures,
    Duration breakerCoolDown) {

  public static ServingSettings from(Config config) {
    Config s = config.getConfig("rigserve.serving");
    Config r = config.getConfig("rigserve.repository");
    Duration defaultTimeout = positive(s, "rigserve.serving.", "default-timeout");
    Duration maxTimeout = positive(s, "rigserve.serving.", "max-timeout");
    if (maxTimeout.compareTo(defaultTimeout) < 0) {
      throw new IllegalArgumentException(
          "invalid setting rigserve.serving.max-timeout = " + maxTimeout
              + ": expected at least rigserve.serving.default-timeout (" + defaultTimeout + ")");
    }
    return new ServingSettings(
        s.getString("http-host"),
        port(s, "http-port"),
        port(s, "grpc-port"),
        size(s, "max-request-size", "rigserve.serving."),
        positive(s, "rigserve.serving.", "body-timeout"),
        positive(s, "rigserve.serving.", "idle-timeout"),
        defaultTimeout,
        maxTimeout,
        Path.of(r.getString("path")).toAbsolutePath().normalize(),
        size(r, "max-upload-size", "rigserve.repository."),
        uploadsInFlight(r),
        size(r, "max-disk", "rigserve.repository."),
        r.getBoolean("demo-model"),
        positive(r, "rigserve.repository.", "load-timeout"),
        positive(s, "rigserve.serving.", "attempt-timeout"),
        breakerFailures(s),
        positive(s, "rigserve.serving.", "breaker.cool-down"));
  }

  private static int breakerFailures(Config c) {
    int n = c.getInt("breaker.failures");
    if (n < 1) {
      throw new IllegalArgumentException(
          "invalid setting rigserve.serving.breaker.failures = " + n + ": expected 1 or more");
    }
    return n;
  }

  private static int uploadsInFlight(Config c) {
    int n = c.getInt("max-uploads-in-flight");
    if (n < 1) {
      throw new IllegalArgumentException(
          "invalid setting rigserve.repository.max-uploads-in-flight = " + n + ": expected 1 or more");
    }
    return n;
  }

  private static int port(Config c, String key) {
    int port = c.getInt(key);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "invalid setting rigserve.serving." + key + " = " + port + ": expected a port from 0 to 65535 (0: any free port)");
    }
    return port;
  }

  private static long size(Config c, String key, String prefix) {
    long bytes = c.getBytes(key);
    if (bytes <= 0) {
      throw new IllegalArgumentException(
          "invalid setting " + prefix + key + " = " + bytes + ": expected a size above zero, such as 64 MiB");
    }
    return bytes;
  }

  private static Duration positive(Config c, String prefix, String key) {
    Duration d = c.getDuration(key);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(
          "invalid setting " + prefix + key + " = " + d + ": expected a duration above zero, such as 30s");
    }
    return d;
  }
}
