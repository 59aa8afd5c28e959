package io.rigserve.serving;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.RigCluster;
import io.rigserve.cluster.management.HostedReplicasSource;
import io.rigserve.cluster.management.ReadinessConditions;
import io.rigserve.cluster.management.RigManagement;
import io.rigserve.cluster.node.ClusterSettings;
import io.rigserve.cluster.node.RigConfig;
import io.rigserve.cluster.node.RigSettings;
import io.rigserve.proto.inference.GRPCInferenceServicePowerApiHandlerFactory;
import io.rigserve.serving.api.grpc.GrpcInferenceApi;
import io.rigserve.serving.api.grpc.GrpcRequestLimit;
import io.rigserve.serving.api.rest.RestApi;
import io.rigserve.serving.demo.DemoModels;
import io.rigserve.serving.inference.InferenceService;
import io.rigserve.serving.repository.ModelRepository;
import io.rigserve.serving.repository.ModelUpload;
import io.rigserve.serving.repository.ModelVersion;
import io.rigserve.sharding.replica.ReplicaId;
import org.apache.pekko.actor.Address;
import io.rigserve.serving.routing.Router;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.serving.runtime.RuntimeSettings;
import io.rigserve.sharding.replica.ReplicaSharding;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.stream.Materializer;

/**
 * One rig, built in order: settings, actor system, cluster membership and topology, model
 * repository, sharded partition replicas, router, then the REST, gRPC and management servers.
 * Nothing else starts servers.
 */
public final class Rig {

  /** How long in-flight requests may take to finish when the rig stops. */
  private static final Duration DRAIN = Duration.ofSeconds(10);

  private final RigCluster cluster;
  private final ServingSettings settings;
  private final ModelRepository repository;
  private final ServerBinding http;
  private final ServerBinding grpc;
  private final int managementPort;

  private Rig(RigCluster cluster, ServingSettings settings, ModelRepository repository, ServerBinding http,
      ServerBinding grpc, int managementPort) {
    this.cluster = cluster;
    this.settings = settings;
    this.repository = repository;
    this.http = http;
    this.grpc = grpc;
    this.managementPort = managementPort;
  }

  /** Starts a rig that forms or joins its cluster; completes when every server listens. */
  public static CompletionStage<Rig> start(Config config) {
    return start(config, 1);
  }

  /**
   * Starts one incarnation of a rig: the first joins its seeds; later ones (after the cluster
   * downed this rig) rejoin through the other seeds.
   */
  public static CompletionStage<Rig> start(Config config, int incarnation) {
    Config full = withDerivedSettings(RigConfig.forRig(config));
    RigSettings rig = RigSettings.from(full);
    ClusterSettings clusterSettings = ClusterSettings.from(full);
    ServingSettings settings = ServingSettings.from(full);
    RuntimeSettings runtimeSettings = RuntimeSettings.from(full);

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), rig.systemName(), full);
    try {
      RigCluster cluster = RigCluster.start(system, rig, clusterSettings);
      if (incarnation == 1) cluster.join(); else cluster.rejoin();
      ModelRepository repository = new ModelRepository(settings.repositoryPath(), new OnnxRuntime(runtimeSettings));
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-models", () -> {
        repository.close();
        return CompletableFuture.completedFuture(Done.getInstance());
      });
      if (settings.demoModel() && repository.index().isEmpty()) {
        repository.store(DemoModels.MLP_NAME, "1", DemoModels.mlp());
      }
      repository.loadAll();

      ReplicaSharding sharding = ReplicaSharding.start(system, repository);
      Cluster pekkoCluster = Cluster.get(system);
      InferenceService service = new InferenceService(repository, new Router(sharding), settings,
          () -> pekkoCluster.selfMember().status() == MemberStatus.up());
      ReadinessConditions.get(system).add("models-loaded",
          () -> CompletableFuture.completedFuture(repository.allReady()));
      Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("rigserve.repository.dispatcher"));
      ModelUpload upload = new ModelUpload(repository, blocking, Materializer.matFromSystem(system));
      RestApi rest = new RestApi(service, repository, upload, blocking, settings.maxRequestBytes(), settings.maxUploadBytes());
      GrpcInferenceApi grpcApi = new GrpcInferenceApi(service);

      Http httpExt = Http.get(system);
      CompletionStage<ServerBinding> httpBinding =
          httpExt.newServerAt(settings.httpHost(), settings.httpPort())
              // REST stays HTTP/1.1: an h2c upgrade attempt by a client is simply not taken up.
              .adaptSettings(server -> server.withEnableHttp2(false))
              .bind(rest.route());
      CompletionStage<ServerBinding> grpcBinding =
          httpExt.newServerAt(settings.httpHost(), settings.grpcPort())
              .bind(GrpcRequestLimit.apply(settings.maxRequestBytes(),
                  GRPCInferenceServicePowerApiHandlerFactory.create(grpcApi, GrpcInferenceApi.errorHandler(), system)));
      CompletionStage<Integer> management = RigManagement.start(cluster, hostedReplicas(system, repository));
      return httpBinding.thenCombine(grpcBinding, (h, g) -> {
        h.addToCoordinatedShutdown(DRAIN, system);
        g.addToCoordinatedShutdown(DRAIN, system);
        return new Rig(cluster, settings, repository, h, g, 0);
      }).thenCombine(management, (r, port) -> new Rig(r.cluster, r.settings, r.repository, r.http, r.grpc, port))
      .whenComplete((r, error) -> {
        if (error != null) system.terminate();
      });
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  /** Pekko settings that follow from rigserve's own (the HTTP body limit). */
  private static Config withDerivedSettings(Config config) {
    ServingSettings settings = ServingSettings.from(config);
    return ConfigFactory.parseMap(Map.of(
            "pekko.http.server.parsing.max-content-length", settings.maxRequestBytes()))
        .withFallback(config);
  }

  /** The replicas this rig serves, as admin JSON shows them. */
  private static HostedReplicasSource hostedReplicas(ActorSystem<?> system, ModelRepository repository) {
    Address self = Cluster.get(system).selfMember().address();
    return () -> CompletableFuture.completedFuture(Map.of(self, repository.index().stream()
        .filter(ModelVersion::ready)
        .map(v -> new ReplicaId(v.name(), v.version(), 0, 0).entityId())
        .toList()));
  }

  public ActorSystem<?> system() {
    return cluster.system();
  }

  public RigCluster cluster() {
    return cluster;
  }

  public RigSettings rigSettings() {
    return cluster.rig();
  }

  public int managementPort() {
    return managementPort;
  }

  public ServingSettings settings() {
    return settings;
  }

  public ModelRepository repository() {
    return repository;
  }

  public int httpPort() {
    return http.localAddress().getPort();
  }

  public int grpcPort() {
    return grpc.localAddress().getPort();
  }

  /** Stops accepting requests, lets in-flight ones finish (bounded), leaves the cluster, stops. */
  public CompletionStage<Done> stop() {
    cluster.lifecycle().stopping();
    return CoordinatedShutdown.get(system()).runAll(CoordinatedShutdown.unknownReason());
  }
}
