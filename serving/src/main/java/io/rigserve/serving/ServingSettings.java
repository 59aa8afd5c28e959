package io.rigserve.serving;

import com.typesafe.config.Config;
import io.rigserve.cluster.settings.SettingsReader;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The serving module's settings ({@code rigserve.serving}, {@code rigserve.repository}), read once
 * at start; routing's own are {@code RoutingSettings}.
 */
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
    Duration loadTimeout) {

  public static ServingSettings from(Config config) {
    SettingsReader s = new SettingsReader(config, "rigserve.serving");
    SettingsReader r = new SettingsReader(config, "rigserve.repository");
    String anyPort = "a port from 0 to 65535 (0: any free port)";
    String size = "a size above zero, such as 64 MiB";
    Duration defaultTimeout = s.duration("default-timeout");
    Duration maxTimeout = s.duration("max-timeout");
    if (maxTimeout.compareTo(defaultTimeout) < 0) {
      throw s.invalid("max-timeout", maxTimeout, "at least rigserve.serving.default-timeout (" + defaultTimeout + ")");
    }
    return new ServingSettings(
        s.string("http-host"),
        s.integer("http-port", 0, 65535, anyPort),
        s.integer("grpc-port", 0, 65535, anyPort),
        s.bytes("max-request-size", size),
        s.duration("body-timeout"),
        s.duration("idle-timeout"),
        defaultTimeout,
        maxTimeout,
        Path.of(r.string("path")).toAbsolutePath().normalize(),
        r.bytes("max-upload-size", size),
        r.integer("max-uploads-in-flight", 1, Integer.MAX_VALUE, "1 or more"),
        r.bytes("max-disk", size),
        r.flag("demo-model"),
        r.duration("load-timeout"));
  }
}
