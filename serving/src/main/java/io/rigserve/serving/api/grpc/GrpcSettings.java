package io.rigserve.serving.api.grpc;

import com.typesafe.config.Config;
import io.rigserve.cluster.settings.SettingsReader;
import java.time.Duration;

/** Settings of the gRPC services beyond the port ({@code rigserve.serving.grpc}), read once at start. */
public record GrpcSettings(int streamConcurrency, Duration healthWatchInterval) {

  public static GrpcSettings from(Config config) {
    SettingsReader s = new SettingsReader(config, "rigserve.serving.grpc");
    return new GrpcSettings(
        s.integer("stream-concurrency", 1, 1024, "from 1 to 1024"),
        s.duration("health-watch-interval"));
  }
}
