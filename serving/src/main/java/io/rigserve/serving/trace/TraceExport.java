package io.rigserve.serving.trace;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The rig's OpenTelemetry: with an OTLP endpoint, the SDK exporting spans in batches (configured
 * by the SDK's own autoconfiguration, so every standard {@code OTEL_*} variable — protocol,
 * headers, sampler, service name — works as documented); without one, the no-op API, so the hot
 * path creates no recording spans and nothing leaves the rig.
 */
public final class TraceExport implements AutoCloseable {

  private final OpenTelemetry telemetry;

  private TraceExport(OpenTelemetry telemetry) {
    this.telemetry = telemetry;
  }

  /** The export {@code settings} ask for; {@code region} and {@code rig} label every span of this rig. */
  public static TraceExport start(TracingSettings settings, String region, String rig) {
    if (settings.otlpEndpoint().isEmpty()) return new TraceExport(OpenTelemetry.noop());
    Resource labels = Resource.create(Attributes.of(
        AttributeKey.stringKey("rigserve.region"), region, AttributeKey.stringKey("rigserve.rig"), rig));
    OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
        // Defaults under the OTEL_* environment and system properties, which win over them.
        .addPropertiesSupplier(() -> Map.of(
            "otel.service.name", "rigserve",
            "otel.traces.exporter", "otlp",
            // The specification's default (the Java SDK's own is grpc); OTEL_EXPORTER_OTLP_PROTOCOL chooses.
            "otel.exporter.otlp.protocol", "http/protobuf",
            "otel.metrics.exporter", "none",
            "otel.logs.exporter", "none",
            "otel.exporter.otlp.endpoint", settings.otlpEndpoint().get()))
        .addResourceCustomizer((resource, config) -> resource.merge(labels))
        // The rig closes it when it stops; a rebuilt rig (a new incarnation) must not leave a hook behind.
        .disableShutdownHook()
        .build()
        .getOpenTelemetrySdk();
    return new TraceExport(sdk);
  }

  public OpenTelemetry telemetry() {
    return telemetry;
  }

  /** Flushes and stops the exporter (bounded: a dead collector does not hold up the rig's stop). */
  @Override
  public void close() {
    if (telemetry instanceof OpenTelemetrySdk sdk) {
      sdk.shutdown().join(5, TimeUnit.SECONDS);
    }
  }
}
