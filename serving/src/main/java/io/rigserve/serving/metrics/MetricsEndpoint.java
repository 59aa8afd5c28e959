package io.rigserve.serving.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.rigserve.cluster.quarantine.QuarantineRegistry;
import io.rigserve.cluster.topology.TopologyCache;
import io.rigserve.serving.routing.RoutingJournal;
import io.rigserve.serving.routing.RoutingStats;
import io.rigserve.serving.statistics.InferenceStatistics;
import io.rigserve.serving.transfer.ArtifactFetcher;
import io.rigserve.serving.trust.TrustLedger;
import io.rigserve.sharding.replica.ReplicaDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * A rig's Prometheus endpoint ({@code /metrics}, text format, Triton's port 8002 by default):
 * Triton's inference families, rigserve's geo, artifact and trust families and the JVM's, each in a registry of this
 * rig's own, so that several rigs in one JVM do not share counters. The library's own HTTP
 * server serves it; it closes when the rig's actor system shuts down.
 */
public final class MetricsEndpoint {

  private final HTTPServer server;

  private MetricsEndpoint(HTTPServer server) {
    this.server = server;
  }

  /**
   * The sources a scrape reads: this gateway's statistics and routing state, the topology, the
   * replicas, the artifact fetcher, the verifier's ledger and the quarantine map.
   */
  public record Sources(InferenceStatistics statistics, RequestLatency latency, RoutingStats routing,
      RoutingJournal journal, TopologyCache topology, ReplicaDirectory directory, ArtifactFetcher artifacts,
      TrustLedger trust, QuarantineRegistry quarantine) {}

  /** Binds {@code host:port} (when enabled) for {@code system}'s lifetime; empty when metrics are off. */
  public static Optional<MetricsEndpoint> start(MetricsSettings settings, String host, ActorSystem<?> system,
      Sources sources) {
    if (!settings.enabled()) return Optional.empty();
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new TritonMetrics(sources.statistics()));
    registry.register(sources.latency().histogram());
    registry.register(new GeoMetrics(sources.statistics(), sources.routing(), sources.journal(), sources.topology(),
        sources.directory()));
    registry.register(new ArtifactMetrics(sources.artifacts()));
    registry.register(new TrustMetrics(sources.trust(), sources.quarantine()::current));
    JvmMetrics.builder().register(registry);
    HTTPServer server;
    try {
      server = HTTPServer.builder().hostname(host).port(settings.port()).registry(registry).buildAndStart();
    } catch (IOException e) {
      throw new UncheckedIOException("the metrics endpoint cannot listen on " + host + ":" + settings.port(), e);
    }
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "rigserve-metrics-unbind", () -> {
      server.close();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    return Optional.of(new MetricsEndpoint(server));
  }

  /** The port it listens on (the one picked when configured as 0). */
  public int port() {
    return server.getPort();
  }
}
