package io.rigserve.serving;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.opentelemetry.api.OpenTelemetry;
import io.rigserve.cluster.RigCluster;
import io.rigserve.cluster.http.JsonErrors;
import io.rigserve.cluster.management.ReadinessConditions;
import io.rigserve.cluster.management.RigManagement;
import io.rigserve.cluster.node.ClusterSettings;
import io.rigserve.cluster.node.RigConfig;
import io.rigserve.cluster.node.RigSettings;
import io.rigserve.cluster.quarantine.QuarantineRegistry;
import io.rigserve.cluster.security.BearerAuth;
import io.rigserve.cluster.security.ClientTls;
import io.rigserve.cluster.security.RigTls;
import io.rigserve.cluster.security.SecuritySettings;
import io.rigserve.cluster.security.StartupSecurity;
import io.rigserve.cluster.topology.TopologyCache;
import io.rigserve.serving.api.admin.DashboardRoute;
import io.rigserve.serving.api.admin.DashboardSettings;
import io.rigserve.serving.api.admin.DrainAdminRoute;
import io.rigserve.serving.api.admin.EventsAdminRoute;
import io.rigserve.serving.api.admin.ModelsAdminRoute;
import io.rigserve.serving.api.admin.RoutingAdminRoute;
import io.rigserve.serving.api.grpc.GrpcHeaderLimits;
import io.rigserve.serving.api.grpc.GrpcInferenceApi;
import io.rigserve.serving.api.grpc.GrpcServices;
import io.rigserve.serving.api.grpc.GrpcSettings;
import io.rigserve.serving.api.grpc.HealthService;
import io.rigserve.serving.api.rest.RestApi;
import io.rigserve.serving.demo.DemoModels;
import io.rigserve.serving.deploy.DeployedRuntimes;
import io.rigserve.serving.deploy.ModelDeployer;
import io.rigserve.serving.deploy.ModelDeployments;
import io.rigserve.serving.drain.DrainSettings;
import io.rigserve.serving.drain.RigDrain;
import io.rigserve.serving.inference.InferenceService;
import io.rigserve.serving.metrics.MetricsEndpoint;
import io.rigserve.serving.metrics.MetricsSettings;
import io.rigserve.serving.metrics.RequestLatency;
import io.rigserve.serving.model.DeploymentCache;
import io.rigserve.serving.model.ModelCatalog;
import io.rigserve.serving.partition.OnnxPartitioner;
import io.rigserve.serving.partition.PartitionSettings;
import io.rigserve.serving.repository.ClusterPresence;
import io.rigserve.serving.repository.ModelRepository;
import io.rigserve.serving.repository.ModelUpload;
import io.rigserve.serving.routing.PipelineRouter;
import io.rigserve.serving.routing.RoutingJournal;
import io.rigserve.serving.routing.RoutingSettings;
import io.rigserve.serving.routing.RoutingStats;
import io.rigserve.serving.routing.ShardedStageTargets;
import io.rigserve.serving.routing.StageCheck;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.serving.runtime.RuntimeSettings;
import io.rigserve.serving.runtime.TrialLoad;
import io.rigserve.serving.runtime.TrialLoadSettings;
import io.rigserve.serving.statistics.CountedStageTargets;
import io.rigserve.serving.statistics.InferenceStatistics;
import io.rigserve.serving.trace.RequestTracer;
import io.rigserve.serving.trace.TraceExport;
import io.rigserve.serving.trace.TracingSettings;
import io.rigserve.serving.transfer.ArtifactFetcher;
import io.rigserve.serving.transfer.ArtifactStore;
import io.rigserve.serving.transfer.DataPlane;
import io.rigserve.serving.transfer.MemberDataPlanes;
import io.rigserve.serving.trust.StageVerifier;
import io.rigserve.serving.trust.TrustSettings;
import io.rigserve.sharding.placement.DeploymentRegistry;
import io.rigserve.sharding.placement.PlacementController;
import io.rigserve.sharding.placement.PlacementSettings;
import io.rigserve.sharding.replica.PartitionRuntimes;
import io.rigserve.sharding.replica.ReplicaDirectory;
import io.rigserve.sharding.replica.ReplicaSettings;
import io.rigserve.sharding.replica.ReplicaSharding;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.stream.Materializer;

/**
 * One rig, wired in named steps: settings, actor system, cluster membership, the serving core
 * (replicas, repository, deployments, router), the disk's deployment once the rig is Up, then the
 * REST, gRPC, data-plane and management servers. It holds no serving rules; nothing else starts
 * servers.
 */
public final class Rig {

  /** How long in-flight requests may take to finish when the rig stops. */
  private static final Duration DRAIN = Duration.ofSeconds(10);
  /** How long partition files being sent may take to finish when the rig stops (its last phase). */
  private static final Duration DATA_PLANE_DRAIN = Duration.ofSeconds(5);

  /** Every module's settings, read once. */
  private record Settings(Config config, RigSettings rig, ClusterSettings cluster, ServingSettings serving,
      RuntimeSettings runtime, SecuritySettings security, PlacementSettings placement, ReplicaSettings replica,
      RoutingSettings routing, TracingSettings tracing, GrpcSettings grpc, TrustSettings trust,
      DrainSettings drain, DashboardSettings dashboard, MetricsSettings metrics) {
    static Settings from(Config config) {
      ClusterSettings cluster = ClusterSettings.from(config);
      return new Settings(config, RigSettings.from(config), cluster, ServingSettings.from(config),
          RuntimeSettings.from(config), SecuritySettings.from(config), PlacementSettings.from(config),
          ReplicaSettings.from(config), RoutingSettings.from(config, cluster), TracingSettings.from(config),
          GrpcSettings.from(config), TrustSettings.from(config),
          DrainSettings.from(config), DashboardSettings.from(config), MetricsSettings.from(config));
    }
  }

  /** What the servers serve: the serving core of one incarnation. */
  private record Core(InferenceService service, ModelRepository repository, ModelDeployments deployments,
      ModelCatalog catalog, ReplicaDirectory directory, RigReadiness readiness, ArtifactStore artifacts,
      Optional<RigTls> clusterTls, Executor blocking, RoutingStats routingStats, RoutingJournal routingJournal,
      RequestTracer tracer, StageVerifier verifier, Optional<MetricsEndpoint> metrics) {}

  private final RigCluster cluster;
  private final ServingSettings settings;
  private final ModelDeployments deployments;
  private final ServerBinding http;
  private final ServerBinding grpc;
  private final int managementPort;
  private final Optional<MetricsEndpoint> metrics;

  private Rig(RigCluster cluster, ServingSettings settings, ModelDeployments deployments, ServerBinding http,
      ServerBinding grpc, int managementPort, Optional<MetricsEndpoint> metrics) {
    this.metrics = metrics;
    this.cluster = cluster;
    this.settings = settings;
    this.deployments = deployments;
    this.http = http;
    this.grpc = grpc;
    this.managementPort = managementPort;
  }

  /** Starts a rig that forms or joins its cluster; completes when every server listens. */
  public static CompletionStage<Rig> start(Config config) {
    return start(config, 1, Optional.empty());
  }

  /**
   * Starts one incarnation of a rig: the first joins its seeds; later ones (after the cluster
   * downed this rig) rejoin through the other seeds.
   */
  public static CompletionStage<Rig> start(Config config, int incarnation) {
    return start(config, incarnation, Optional.empty());
  }

  /**
   * Starts one incarnation of a rig whose REST and gRPC listeners, when {@code processListeners}
   * is given, belong to the process and are handed this incarnation's handlers.
   */
  public static CompletionStage<Rig> start(Config config, int incarnation,
      Optional<CompletionStage<ClientListeners>> processListeners) {
    return start(config, incarnation, processListeners, Optional.empty());
  }

  /**
   * Starts a rig as {@link #start(Config, int, Optional)} does; {@code telemetry}, when given,
   * receives its spans instead of the export {@code rigserve.tracing} names (and is not closed by it).
   */
  public static CompletionStage<Rig> start(Config config, int incarnation,
      Optional<CompletionStage<ClientListeners>> processListeners, Optional<OpenTelemetry> telemetry) {
    return start(config, incarnation, processListeners, telemetry, UnaryOperator.identity());
  }

  /**
   * Starts a rig whose replicas run what {@code wrap} makes of the rig's own runtimes: the seam
   * tests use to give one rig faulty hardware. Production starts pass the identity.
   */
  public static CompletionStage<Rig> start(Config config, int incarnation,
      Optional<CompletionStage<ClientListeners>> processListeners, UnaryOperator<PartitionRuntimes> wrap) {
    return start(config, incarnation, processListeners, Optional.empty(), wrap);
  }

  private static CompletionStage<Rig> start(Config config, int incarnation,
      Optional<CompletionStage<ClientListeners>> processListeners, Optional<OpenTelemetry> telemetry,
      UnaryOperator<PartitionRuntimes> wrap) {
    Settings settings = Settings.from(withDerivedSettings(RigConfig.forRig(config)));
    // Refused here, before anything binds, when the rig is off loopback without TLS and an admin token.
    StartupSecurity startup = StartupSecurity.of(List.of(settings.rig().bindHost(), settings.serving().httpHost(),
        settings.rig().managementBindHost()), settings.security()).check();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), settings.rig().systemName(), settings.config());
    if (startup.runsInsecure()) system.log().warn(startup.warning());
    startup.unsignedDeploymentsWarning().ifPresent(system.log()::warn);
    try {
      RigCluster cluster = joinCluster(system, settings, incarnation);
      OpenTelemetry traces = telemetry.orElseGet(() -> exportUntilStop(system, settings.tracing(), settings.rig().region()));
      Core core = startCore(system, cluster, settings, traces, wrap);
      deployDiskWhenUp(system, core, settings.serving());
      RigDrain drain = new RigDrain(system, core.directory(), settings.drain());
      drain.drainOnStop();
      BearerAuth auth = BearerAuth.from(settings.security());
      CompletionStage<ServerBinding[]> clients =
          bindClients(system, clientHandlers(system, core, settings, auth), settings.serving(),
              settings.security().clientTlsDir().map(ClientTls::httpsServer), processListeners);
      CompletionStage<ServerBinding> dataPlane =
          DataPlane.bind(system, settings.rig().bindHost(), settings.rig().dataPlanePort(), core.artifacts(), core.clusterTls());
      CompletionStage<Integer> management = RigManagement.start(cluster, auth, startup.runsInsecure(),
          core.directory().hostedReplicas(), new ModelsAdminRoute(core.catalog(), core.directory()).route(),
          new RoutingAdminRoute(core.routingStats(), core.routingJournal(), core.verifier()::report).route(),
          new DrainAdminRoute(drain).route(), new DashboardRoute().route(),
          new EventsAdminRoute(system, settings.dashboard().eventsInterval()).route());
      return dataPlane.thenCompose(d -> {
        // Other rigs fetch partition files from here while this rig drains on its way out: it unbinds last.
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "rigserve-data-plane-unbind", () -> d.terminate(DATA_PLANE_DRAIN).thenApply(terminated -> Done.getInstance()));
        return clients;
      }).thenCombine(management, (bindings, port) ->
          new Rig(cluster, settings.serving(), core.deployments(), bindings[0], bindings[1], port,
              core.metrics()))
      .whenComplete((r, error) -> {
        if (error != null) system.terminate();
      });
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  /** The rig's membership: the first incarnation joins its seeds, later ones rejoin through the others. */
  private static RigCluster joinCluster(ActorSystem<?> system, Settings settings, int incarnation) {
    RigCluster cluster = RigCluster.start(system, settings.rig(), settings.cluster());
    if (incarnation == 1) cluster.join(); else cluster.rejoin();
    return cluster;
  }

  /**
   * The serving core: the replicas this rig hosts (sharded, placed per region), its repository and
   * the deployments made from it, the catalog a gateway serves from, the router, and readiness.
   */
  private static Core startCore(ActorSystem<?> system, RigCluster cluster, Settings settings, OpenTelemetry traces,
      UnaryOperator<PartitionRuntimes> wrap) {
    ServingSettings serving = settings.serving();
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("rigserve.repository.dispatcher"));
    OnnxRuntime runtime = new OnnxRuntime(settings.runtime());
    Optional<RigTls> clusterTls = RigTls.of(settings.security());
    ArtifactStore artifacts = new ArtifactStore(serving.repositoryPath().resolve(".artifacts"));
    DeploymentCache deployed = DeploymentCache.follow(system);
    ReplicaDirectory directory = ReplicaDirectory.get(system);
    TopologyCache topology = TopologyCache.follow(system, cluster.topology());

    ArtifactFetcher fetcher = new ArtifactFetcher(artifacts, system, serving.maxUploadBytes(), clusterTls,
        () -> topology.view().map(MemberDataPlanes::of).orElse(Set.of()));
    DeployedRuntimes runtimes = new DeployedRuntimes(deployed, directory, topology, fetcher, runtime, blocking,
        settings.rig().modelMemoryBytes(), serving.maxUploadBytes());
    ReplicaSharding sharding = ReplicaSharding.start(system, wrap.apply(runtimes), settings.replica(), settings.placement().moves(), traces);
    PlacementController.init(system, cluster.topology(), settings.placement());

    ModelRepository repository = new ModelRepository(serving.repositoryPath(),
        new TrialLoad(TrialLoadSettings.from(settings.config()), settings.runtime()));
    ModelCatalog catalog = new ModelCatalog(deployed, directory, topology, repository::hasModel);
    ModelDeployer deployer = new ModelDeployer(runtime, new OnnxPartitioner(runtime, PartitionSettings.from(settings.config())), artifacts,
        settings.rig().dataPlaneUrl(), topology);
    ModelDeployments deployments = new ModelDeployments(system, repository, deployer, catalog, blocking, serving.loadTimeout());
    RigReadiness readiness = new RigReadiness(system, directory, deployments, catalog);
    ReadinessConditions.get(system).add("replicas-loaded", () -> CompletableFuture.completedFuture(readiness.ready()));

    RoutingSettings routing = settings.routing();
    RoutingStats routingStats = new RoutingStats(routing.breakerFailures(), routing.breakerCoolDown());
    RoutingJournal routingJournal = new RoutingJournal();
    RequestTracer tracer = new RequestTracer(traces);
    RequestLatency latency = new RequestLatency();
    InferenceStatistics statistics = new InferenceStatistics(latency);
    QuarantineRegistry quarantine = QuarantineRegistry.get(system);
    // Checks keep their own stats: /admin/routing and the breakers speak of the requests' stages only.
    RoutingStats checkStats = new RoutingStats(routing.breakerFailures(), routing.breakerCoolDown());
    StageVerifier verifier = StageVerifier.of(system, settings.trust(), new ShardedStageTargets(sharding, directory,
        topology, checkStats, routing.silentAfter(), quarantine::isQuarantined, StageCheck.NONE), topology);
    InferenceService service = new InferenceService(catalog,
        new PipelineRouter(new CountedStageTargets(new ShardedStageTargets(sharding, directory, topology, routingStats,
            routing.silentAfter(), quarantine::isQuarantined, verifier), statistics), routing.attemptTimeout(),
            routingJournal, tracer.tracer()),
        serving.defaultTimeout(), serving.maxTimeout(), readiness::ready, statistics);
    Optional<MetricsEndpoint> metrics = MetricsEndpoint.start(settings.metrics(), serving.httpHost(), system,
        new MetricsEndpoint.Sources(statistics, latency, routingStats, routingJournal, topology, directory, fetcher,
            verifier.ledger(), quarantine));
    return new Core(service, repository, deployments, catalog, directory, readiness, artifacts, clusterTls, blocking,
        routingStats, routingJournal, tracer, verifier, metrics);
  }

  /**
   * Writes the demo model into an empty repository, and deploys the disk once the rig is Up and
   * has read what the cluster deploys and has unloaded; from then on records its presence.
   */
  private static void deployDiskWhenUp(ActorSystem<?> system, Core core, ServingSettings serving) {
    if (serving.demoModel() && core.repository().index().isEmpty()) {
      core.repository().store(DemoModels.MLP_NAME, "1", DemoModels.mlp());
    }
    ClusterPresence presence = new ClusterPresence(serving.repositoryPath());
    Cluster.get(Adapter.toClassic(system)).registerOnMemberUp(() -> {
      core.deployments().deployDisk(presence).whenComplete((deployed, error) ->
          core.readiness().diskDeployed(error == null ? deployed : Map.of()));
      presence.keepMarked(system, DeploymentRegistry.get(system).tombstoneLifetime(), core.blocking());
    });
  }

  /** This incarnation's REST and gRPC handlers, and how the process's listeners tell whether it serves. */
  private static ClientListeners.Handlers clientHandlers(ActorSystem<?> system, Core core, Settings settings,
      BearerAuth auth) {
    ServingSettings serving = settings.serving();
    Materializer materializer = Materializer.matFromSystem(system);
    ModelUpload upload = new ModelUpload(core.repository(), core.blocking(), materializer,
        serving.maxUploadsInFlight(), serving.maxDiskBytes());
    RestApi rest = new RestApi(core.service(), core.deployments(), upload, serving.maxRequestBytes(),
        serving.maxUploadBytes(), serving.bodyTimeout(), auth, core.tracer());
    GrpcInferenceApi grpcApi = new GrpcInferenceApi(core.service(), core.deployments(), settings.grpc().streamConcurrency(),
        core.tracer());
    Cluster cluster = Cluster.get(Adapter.toClassic(system));
    // After a rebuild, clients are held until this incarnation serves every model the cluster deployed when it joined.
    return new ClientListeners.Handlers(JsonErrors.seal(rest.route()).handler(system),
        GrpcServices.handler(grpcApi, new HealthService(core.service(), settings.grpc().healthWatchInterval()), auth,
            serving.maxRequestBytes(), system),
        core.readiness()::servesTheCluster, () -> leftTheCluster(cluster.selfMember().status()), endingOf(system));
  }

  /** The process's listeners outlive this actor system; a rig started alone binds its own. */
  private static CompletionStage<ServerBinding[]> bindClients(ActorSystem<?> system, ClientListeners.Handlers handlers,
      ServingSettings serving, Optional<HttpsConnectionContext> clientTls,
      Optional<CompletionStage<ClientListeners>> processListeners) {
    if (processListeners.isPresent()) {
      return processListeners.get().thenApply(listeners -> {
        listeners.serve(handlers);
        return new ServerBinding[] {listeners.http(), listeners.grpc()};
      });
    }
    Http http = Http.get(system);
    CompletionStage<ServerBinding> httpBinding =
        clientServer(http.newServerAt(serving.httpHost(), serving.httpPort()), clientTls)
            // REST stays HTTP/1.1: an h2c upgrade attempt by a client is simply not taken up.
            .adaptSettings(server -> server.withEnableHttp2(false))
            .bind(handlers.rest());
    CompletionStage<ServerBinding> grpcBinding =
        clientServer(http.newServerAt(serving.httpHost(), serving.grpcPort()), clientTls)
            .adaptSettings(GrpcHeaderLimits::apply).bind(handlers.grpc());
    return httpBinding.thenCombine(grpcBinding, (h, g) -> {
      h.addToCoordinatedShutdown(DRAIN, system);
      g.addToCoordinatedShutdown(DRAIN, system);
      return new ServerBinding[] {h, g};
    });
  }

  /** The export {@code tracing} names, flushed and closed when {@code system} stops. */
  private static OpenTelemetry exportUntilStop(ActorSystem<?> system, TracingSettings tracing, String region) {
    TraceExport export = TraceExport.start(tracing, region, system.address().toString());
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "rigserve-trace-export",
        () -> CompletableFuture.supplyAsync(() -> {
          export.close();
          return Done.getInstance();
        }));
    return export.telemetry();
  }

  /** A server for API clients: HTTPS when client TLS is configured (gRPC then negotiates HTTP/2 by ALPN). */
  private static ServerBuilder clientServer(ServerBuilder server, Optional<HttpsConnectionContext> tls) {
    return tls.map(server::enableHttps).orElse(server);
  }

  /** Whether a rig in {@code status} is on its way out of the cluster (downed, or leaving). */
  private static boolean leftTheCluster(MemberStatus status) {
    return status == MemberStatus.down() || status == MemberStatus.removed()
        || status == MemberStatus.exiting() || status == MemberStatus.leaving();
  }

  /** Completes when {@code system} starts its coordinated shutdown (a downing, or a stop). */
  private static CompletionStage<Done> endingOf(ActorSystem<?> system) {
    CompletableFuture<Done> ending = new CompletableFuture<>();
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "rigserve-incarnation-ending",
        () -> {
          ending.complete(Done.getInstance());
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    return ending;
  }

  /**
   * Pekko settings that follow from rigserve's own: the HTTP body limit (also for toStrict, which
   * has its own), the idle timeout, a request timeout just past the longest deadline a client
   * may ask for, so that the rig's own deadline answers first, and the replica dispatcher's
   * threads, one per concurrent run ({@code rigserve.replica.max-concurrent-runs}); and a stop's
   * drain phase as long as the drain's own bound.
   */
  static Config withDerivedSettings(Config config) {
    ServingSettings settings = ServingSettings.from(config);
    return ConfigFactory.parseMap(Map.of(
            "pekko.coordinated-shutdown.phases.before-cluster-shutdown.timeout",
            RigDrain.phaseTimeout(DrainSettings.from(config)).toMillis() + "ms",
            "pekko.http.server.parsing.max-content-length", settings.maxRequestBytes(),
            "pekko.http.server.parsing.max-to-strict-bytes", settings.maxRequestBytes(),
            "pekko.http.server.idle-timeout", settings.idleTimeout().toMillis() + "ms",
            "pekko.http.server.request-timeout", settings.maxTimeout().plusSeconds(5).toMillis() + "ms",
            "rigserve.replica.dispatcher.thread-pool-executor.fixed-pool-size",
            ReplicaSettings.from(config).maxConcurrentRuns()))
        .withFallback(config);
  }

  /** The port of /metrics; empty when metrics are off. */
  public Optional<Integer> metricsPort() {
    return metrics.map(MetricsEndpoint::port);
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

  /** The repository extension's core API (load, unload, index), as REST and gRPC call it. */
  public ModelDeployments deployments() {
    return deployments;
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
