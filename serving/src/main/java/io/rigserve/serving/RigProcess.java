package io.rigserve.serving;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.RestartingRig;
import io.rigserve.cluster.node.ClusterSettings;
import io.rigserve.cluster.node.RigConfig;
import io.rigserve.cluster.node.RigSettings;
import io.rigserve.cluster.security.ClientTls;
import io.rigserve.cluster.security.SecuritySettings;
import io.rigserve.cluster.security.StartupSecurity;
import io.rigserve.serving.runtime.OnnxRuntime;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A rig as one process: its REST and gRPC listeners, bound once in a small local actor system of
 * their own, and the incarnations of its cluster actor system, rebuilt after each downing
 * ({@link RestartingRig}). Clients keep their connections through a rebuild; see {@link ClientListeners}.
 */
public final class RigProcess {

  /** How long in-flight requests may take to finish when the process stops. */
  private static final Duration DRAIN = Duration.ofSeconds(10);
  private static final long START_TIMEOUT_SECONDS = 120;

  private final ActorSystem<Void> front;
  private final ClientListeners listeners;
  private final RestartingRig restarting;
  private final AtomicReference<Rig> current;

  private RigProcess(ActorSystem<Void> front, ClientListeners listeners, RestartingRig restarting, AtomicReference<Rig> current) {
    this.front = front;
    this.listeners = listeners;
    this.restarting = restarting;
    this.current = current;
  }

  /** Binds the listeners and starts the first incarnation; throws when either fails. */
  public static RigProcess start(Config config) throws Exception {
    Config full = RigConfig.forRig(config);
    RigSettings rig = RigSettings.from(full);
    ServingSettings settings = ServingSettings.from(full);
    SecuritySettings security = SecuritySettings.from(full);
    // Refused before anything binds, as Rig.start does for each incarnation.
    StartupSecurity.of(List.of(rig.bindHost(), settings.httpHost(), rig.managementBindHost()), security).check();
    // ONNX Runtime's native library loads beside the actor systems' start instead of after it.
    CompletableFuture.runAsync(OnnxRuntime::environment);
    // The listeners' actor system starts beside the first incarnation, not before it: each takes seconds.
    CompletableFuture<ActorSystem<Void>> front = CompletableFuture.supplyAsync(() ->
        ActorSystem.create(Behaviors.empty(), "rigserve-front", frontConfig(config)));
    CompletableFuture<ClientListeners> listeners = front.thenCompose(system -> ClientListeners.bind(system,
        settings.httpHost(), settings.httpPort(), settings.grpcPort(), security.clientTlsDir().map(ClientTls::httpsServer)))
        .toCompletableFuture();
    try {
      AtomicReference<Rig> current = new AtomicReference<>();
      RestartingRig restarting = RestartingRig.start(incarnation -> {
        Rig started = Rig.start(config, incarnation, Optional.of(listeners))
            .toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        current.set(started);
        return started.cluster();
      }, ClusterSettings.from(full).restartDelay());
      return new RigProcess(front.join(), listeners.join(), restarting, current);
    } catch (Exception | Error e) {
      front.thenAccept(ActorSystem::terminate);
      throw e;
    }
  }

  /**
   * The listeners' actor system: local (no cluster, no remoting), the rig's HTTP settings, and
   * small HTTP/2 bodies collected whole (at most the connection buffer over its streams, 10 MB / 256),
   * so that a gRPC call cut off by a rebuild can be replayed.
   */
  private static Config frontConfig(Config config) {
    return ConfigFactory.parseString("""
            pekko.actor.provider = local
            pekko.http.server.http2.min-collect-strict-entity-size = 32k
            pekko.coordinated-shutdown.exit-jvm = off
            """)
        .withFallback(Rig.withDerivedSettings(RigConfig.forRig(config)));
  }

  /** The incarnation running now. */
  public Rig current() {
    return current.get();
  }

  public int httpPort() {
    return listeners.http().localAddress().getPort();
  }

  public int grpcPort() {
    return listeners.grpc().localAddress().getPort();
  }

  /**
   * Stops on purpose: no more rebuilds; the listeners stop accepting and let in-flight requests
   * finish (bounded), then the rig leaves the cluster and stops.
   */
  public CompletionStage<Done> stop() {
    restarting.stopRestarting();
    return listeners.http().terminate(DRAIN)
        .thenCombine(listeners.grpc().terminate(DRAIN), (a, b) -> Done.getInstance())
        .thenCompose(drained -> current.get().stop())
        .whenComplete((done, error) -> front.terminate());
  }

  /** Ends as a crash would (tests): no leave, no drain. */
  public void crash() {
    restarting.stopRestarting();
    current.get().system().terminate();
    front.terminate();
  }
}
