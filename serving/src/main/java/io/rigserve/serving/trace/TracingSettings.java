package io.rigserve.serving.trace;

import com.typesafe.config.Config;
import io.rigserve.cluster.settings.SettingsReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * Where traces go ({@code rigserve.tracing}), read once at start: an OTLP endpoint, or none
 * (the default), in which case nothing is exported.
 */
public record TracingSettings(Optional<String> otlpEndpoint) {

  public static TracingSettings from(Config config) {
    SettingsReader s = new SettingsReader(config, "rigserve.tracing");
    String endpoint = s.string("otlp-endpoint").trim();
    if (endpoint.isEmpty()) return new TracingSettings(Optional.empty());
    try {
      URI uri = new URI(endpoint);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw s.invalid("otlp-endpoint", endpoint, "an http:// or https:// URL, or empty (no export)");
      }
    } catch (URISyntaxException e) {
      throw s.invalid("otlp-endpoint", endpoint, "an http:// or https:// URL, or empty (no export)");
    }
    return new TracingSettings(Optional.of(endpoint));
  }
}
