package io.rigserve.serving;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.RigCluster;
import io.rigserve.cluster.management.ReadinessConditions;
import io.rigserve.cluster.management.RigManagement;
import io.rigserve.cluster.node.ClusterSettings;
import io.rigserve.cluster.node.RigConfig;
import io.rigserve.cluster.node.RigSettings;
import io.rigserve.cluster.security.BearerAuth;
import io.rigserve.cluster.security.ClientTls;
import io.rigserve.cluster.security.RigTls;
import io.rigserve.cluster.security.SecuritySettings;
import io.rigserve.cluster.security.StartupSecurity;
import io.rigserve.cluster.http.JsonErrors;
import io.rigserve.serving.api.grpc.GrpcHeaderLimits;
import io.rigserve.serving.api.grpc.GrpcInferenceApi;
import io.rigserve.serving.api.grpc.GrpcServices;
import io.rigserve.serving.api.grpc.GrpcSettings;
import io.rigserve.serving.api.grpc.HealthService;
import io.rigserve.serving.api.grpc.RepositoryControl;
import io.rigserve.serving.api.rest.RestApi;
import io.rigserve.serving.demo.DemoModels;
import io.rigserve.serving.inference.InferenceService;
import io.rigserve.serving.metrics.MetricsEndpoint;
import io.rigserve.serving.metrics.MetricsSettings;
import io.rigserve.serving.metrics.RequestLatency;
import io.rigserve.serving.repository.ClusterPresence;
import io.rigserve.serving.repository.ModelRepository;
import io.rigserve.serving.repository.ModelUpload;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.serving.runtime.RuntimeSettings;
import io.rigserve.serving.runtime.TrialLoad;
import io.rigserve.serving.runtime.TrialLoadSettings;
import io.rigserve.sharding.replica.ReplicaSettings;
import io.rigserve.sharding.replica.ReplicaSharding;
import io.rigserve.cluster.topology.RigIdentity;
import io.rigserve.cluster.topology.TopologyCache;
import io.rigserve.serving.api.admin.ModelsAdminRoute;
import io.rigserve.serving.api.admin.RoutingAdminRoute;
import io.rigserve.serving.routing.RoutingJournal;
import io.rigserve.serving.routing.RoutingStats;
import io.rigserve.serving.statistics.CountedStageTargets;
import io.rigserve.serving.statistics.InferenceStatistics;
import io.rigserve.serving.deploy.DeployedRuntimes;
import io.rigserve.serving.model.DeploymentCache;
import io.rigserve.serving.model.ModelCatalog;
import io.rigserve.serving.deploy.ModelDeployer;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.partition.OnnxPartitioner;
import io.rigserve.serving.routing.PipelineRouter;
import io.rigserve.serving.routing.ShardedStageTargets;
import io.rigserve.serving.transfer.ArtifactFetcher;
import io.rigserve.serving.transfer.DataPlane;
import io.rigserve.serving.transfer.MemberDataPlanes;
import io.rigserve.serving.transfer.ArtifactStore;
import io.rigserve.sharding.placement.Deployment;
import io.rigserve.sharding.placement.DeploymentRegistry;
import io.rigserve.sharding.placement.PlacementController;
import io.rigserve.sharding.placement.PlacementSettings;
import io.rigserve.sharding.replica.ReplicaDirectory;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import io.rigserve.serving.repository.VersionState;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.ServerBuilder;
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
  /** How long a joining rig waits for a majority's view of the deployments before using its own. */
  private static final Duration MAJORITY_WAIT = Duration.ofSeconds(5);
  /** Longest time between two records of cluster presence on disk. */
  private static final Duration PRESENCE_MARK = Duration.ofMinutes(1);

  private final RigCluster cluster;
  private final ServingSettings settings;
  private final ModelRepository repository;
  private final ServerBinding http;
  private final ServerBinding grpc;
  private final int managementPort;
  private final Optional<MetricsEndpoint> metrics;

  private Rig(RigCluster cluster, ServingSettings settings, ModelRepository repository, ServerBinding http,
      ServerBinding grpc, int managementPort, Optional<MetricsEndpoint> metrics) {
    this.metrics = metrics;
    this.cluster = cluster;
    this.settings = settings;
    this.repository = repository;
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
    Config full = withDerivedSettings(RigConfig.forRig(config));
    RigSettings rig = RigSettings.from(full);
    ClusterSettings clusterSettings = ClusterSettings.from(full);
    ServingSettings settings = ServingSettings.from(full);
    RuntimeSettings runtimeSettings = RuntimeSettings.from(full);
    SecuritySettings security = SecuritySettings.from(full);
    // Refused here, before anything binds, when the rig is off loopback without TLS and an admin token.
    StartupSecurity startup = StartupSecurity.of(
        List.of(rig.bindHost(), settings.httpHost(), rig.managementBindHost()), security).check();
    BearerAuth auth = BearerAuth.from(security);
    Optional<HttpsConnectionContext> clientTls = security.clientTlsDir().map(ClientTls::httpsServer);

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), rig.systemName(), full);
    if (startup.runsInsecure()) system.log().warn(startup.warning());
    try {
      RigCluster cluster = RigCluster.start(system, rig, clusterSettings);
      if (incarnation == 1) cluster.join(); else cluster.rejoin();
      Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("rigserve.repository.dispatcher"));
      OnnxRuntime runtime = new OnnxRuntime(runtimeSettings);
      Optional<RigTls> clusterTls = RigTls.of(security);
      ArtifactStore artifacts = new ArtifactStore(settings.repositoryPath().resolve(".artifacts"));
      DeploymentCache deployments = DeploymentCache.follow(system);
      ReplicaDirectory directory = ReplicaDirectory.get(system);
      TopologyCache topology = TopologyCache.follow(system, cluster.topology());
      AtomicReference<ModelRepository> local = new AtomicReference<>();
      ModelCatalog catalog = new ModelCatalog(deployments, directory, topology,
          name -> local.get() != null && local.get().hasModel(name));
      DeployedRuntimes runtimes = new DeployedRuntimes(deployments, directory, topology,
          new ArtifactFetcher(artifacts, system, settings.maxUploadBytes(), clusterTls,
              () -> topology.view().map(MemberDataPlanes::of).orElse(Set.of())), runtime, blocking,
          rig.modelMemoryBytes(), settings.maxUploadBytes());
      PlacementSettings placement = PlacementSettings.from(full);
      ReplicaSharding sharding = ReplicaSharding.start(system, runtimes, ReplicaSettings.from(full), placement.moves());
      PlacementController.init(system, cluster.topology(), placement);
      ModelDeployer deployer = new ModelDeployer(runtime, new OnnxPartitioner(runtime), artifacts,
          rig.dataPlaneUrl(), regions -> smallestBudget(topology, regions));
      ModelRepository repository = new ModelRepository(settings.repositoryPath(),
          new TrialLoad(TrialLoadSettings.from(full), runtimeSettings), deployer,
          DeploymentRegistry.get(system), catalog);
      local.set(repository);

      RoutingStats routingStats = new RoutingStats(settings.breakerFailures(), settings.breakerCoolDown());
      RoutingJournal routingJournal = new RoutingJournal();
      Cluster pekkoCluster = Cluster.get(system);
      String self = pekkoCluster.selfMember().address().toString();
      CompletableFuture<Void> initialLoad = new CompletableFuture<>();
      AtomicReference<Map<String, Deployment>> deployedAtStart = new AtomicReference<>();
      BooleanSupplier ready = () -> pekkoCluster.selfMember().status() == MemberStatus.up()
          && initialLoad.isDone()
          && directory.snapshot().onRig(self).stream().allMatch(r -> r.isReady())
          && repository.index().stream().noneMatch(v -> v.state() == VersionState.LOADING);
      ReadinessConditions.get(system).add("replicas-loaded", () -> CompletableFuture.completedFuture(ready.getAsBoolean()));
      RequestLatency latency = new RequestLatency();
      InferenceStatistics statistics = new InferenceStatistics(latency);
      InferenceService service = new InferenceService(catalog,
          new PipelineRouter(new CountedStageTargets(new ShardedStageTargets(sharding, directory, topology, routingStats,
              silentAfter(clusterSettings)), statistics), settings.attemptTimeout(), routingJournal),
          settings.defaultTimeout(), settings.maxTimeout(), ready, statistics);
      Optional<MetricsEndpoint> metrics = MetricsEndpoint.start(MetricsSettings.from(full), settings.httpHost(), system,
          new MetricsEndpoint.Sources(statistics, latency, routingStats, routingJournal, topology, directory));
      ModelUpload upload = new ModelUpload(repository, blocking, Materializer.matFromSystem(system),
          settings.maxUploadsInFlight(), settings.maxDiskBytes());
      RestApi rest = new RestApi(service, repository, upload, blocking, settings.maxRequestBytes(), settings.maxUploadBytes(),
          catalog, settings.loadTimeout(), settings.bodyTimeout(), auth);
      GrpcSettings grpcSettings = GrpcSettings.from(full);
      GrpcInferenceApi grpcApi = new GrpcInferenceApi(service,
          RepositoryControl.of(repository, catalog, blocking, settings.loadTimeout()), grpcSettings.streamConcurrency());

      if (settings.demoModel() && repository.index().isEmpty()) {
        repository.store(DemoModels.MLP_NAME, "1", DemoModels.mlp());
      }
      // The disk is deployed once the rig is Up and has read what the cluster deploys and has unloaded.
      ClusterPresence presence = new ClusterPresence(settings.repositoryPath());
      org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system)).registerOnMemberUp(() -> {
        deployDisk(system, repository, presence, blocking, deployedAtStart::set)
            .whenComplete((done, error) -> initialLoad.complete(null));
        markPresence(system, presence, blocking);
      });

      Http httpExt = Http.get(system);
      // After a rebuild, clients are held until this incarnation serves every model the cluster deployed when it joined.
      BooleanSupplier servesTheCluster = () -> ready.getAsBoolean() && deployedAtStart.get() != null
          && deployedAtStart.get().values().stream().allMatch(d -> catalog.deployments().stream().anyMatch(k -> k.key().equals(d.key())) && catalog.servable(d));
      ClientListeners.Handlers handlers = new ClientListeners.Handlers(JsonErrors.seal(rest.route()).handler(system),
          GrpcServices.handler(grpcApi, new HealthService(service, grpcSettings.healthWatchInterval()), auth,
              settings.maxRequestBytes(), system),
          servesTheCluster, () -> leftTheCluster(pekkoCluster.selfMember().status()), endingOf(system));
      // The process's listeners outlive this actor system; a rig started alone binds its own.
      CompletionStage<ServerBinding[]> clients;
      if (processListeners.isPresent()) {
        clients = processListeners.get().thenApply(listeners -> {
          listeners.serve(handlers);
          return new ServerBinding[] {listeners.http(), listeners.grpc()};
        });
      } else {
        CompletionStage<ServerBinding> httpBinding =
            clientServer(httpExt.newServerAt(settings.httpHost(), settings.httpPort()), clientTls)
                // REST stays HTTP/1.1: an h2c upgrade attempt by a client is simply not taken up.
                .adaptSettings(server -> server.withEnableHttp2(false))
                .bind(handlers.rest());
        CompletionStage<ServerBinding> grpcBinding =
            clientServer(httpExt.newServerAt(settings.httpHost(), settings.grpcPort()), clientTls)
                .adaptSettings(GrpcHeaderLimits::apply).bind(handlers.grpc());
        clients = httpBinding.thenCombine(grpcBinding, (h, g) -> {
          h.addToCoordinatedShutdown(DRAIN, system);
          g.addToCoordinatedShutdown(DRAIN, system);
          return new ServerBinding[] {h, g};
        });
      }
      CompletionStage<ServerBinding> dataPlane =
          DataPlane.bind(system, rig.bindHost(), rig.dataPlanePort(), artifacts, clusterTls);
      CompletionStage<Integer> management = RigManagement.start(cluster, auth, startup.runsInsecure(), directory.hostedReplicas(),
          new ModelsAdminRoute(catalog, directory).route(), new RoutingAdminRoute(routingStats, routingJournal).route());
      return dataPlane.thenCompose(d -> {
        d.addToCoordinatedShutdown(DRAIN, system);
        return clients;
      }).thenCombine(management, (bindings, port) -> new Rig(cluster, settings, repository, bindings[0], bindings[1], port, metrics))
      .whenComplete((r, error) -> {
        if (error != null) system.terminate();
      });
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  /**
   * Deploys what this rig's disk holds, told by a majority what the cluster deploys (kept as it
   * is) and what it unloaded (not brought back). A rig that was away from a running cluster longer
   * than tombstones are kept deploys nothing the cluster lacks.
   */
  private static CompletionStage<Void> deployDisk(ActorSystem<?> system, ModelRepository repository,
      ClusterPresence presence, Executor blocking, Consumer<Map<String, Deployment>> deployedNow) {
    DeploymentRegistry registry = DeploymentRegistry.get(system);
    Cluster cluster = Cluster.get(system);
    boolean othersRunning = java.util.stream.StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .anyMatch(m -> !m.equals(cluster.selfMember()));
    boolean awayTooLong = othersRunning && presence.awayLongerThan(registry.tombstoneLifetime(), java.time.Instant.now());
    if (awayTooLong) {
      system.log().warn("This rig was away from the cluster longer than unloads are remembered ({}); "
          + "it deploys nothing from its disk that the cluster does not deploy", registry.tombstoneLifetime());
    }
    return registry.currentFromMajority(MAJORITY_WAIT)
        .thenCombine(registry.tombstonesFromMajority(MAJORITY_WAIT), (deployed, tombstones) ->
            (Runnable) () -> {
              deployedNow.accept(deployed);
              repository.loadAll(deployed, tombstones.keySet(), awayTooLong);
            })
        .thenAcceptAsync(Runnable::run, blocking);
  }

  /**
   * Records on disk, now and then, that this rig is a working member (it reaches most of the
   * cluster), so that after a long absence it knows it was away.
   */
  private static void markPresence(ActorSystem<?> system, ClusterPresence presence, Executor blocking) {
    Duration lifetime = DeploymentRegistry.get(system).tombstoneLifetime();
    Duration every = lifetime.dividedBy(4).compareTo(PRESENCE_MARK) < 0 ? lifetime.dividedBy(4) : PRESENCE_MARK;
    Cluster cluster = Cluster.get(system);
    Runnable mark = () -> {
      var state = cluster.state();
      long members = java.util.stream.StreamSupport.stream(state.getMembers().spliterator(), false).count();
      boolean reachesMost = state.getUnreachable().size() * 2L < members
          && state.getUnreachableDataCenters().size() * 2 < state.getAllDataCenters().size();
      if (reachesMost && cluster.selfMember().status() == MemberStatus.up()) {
        presence.mark(java.time.Instant.now());
      }
    };
    blocking.execute(mark);
    system.scheduler().scheduleAtFixedRate(every, every, () -> blocking.execute(mark), system.executionContext());
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
   * has its own), the idle timeout, and a request timeout just past the longest deadline a client
   * may ask for, so that the rig's own deadline answers first.
   */
  static Config withDerivedSettings(Config config) {

    ServingSettings settings = ServingSettings.from(config);
    return ConfigFactory.parseMap(Map.of(
            "pekko.http.server.parsing.max-content-length", settings.maxRequestBytes(),
            "pekko.http.server.parsing.max-to-strict-bytes", settings.maxRequestBytes(),
            "pekko.http.server.idle-timeout", settings.idleTimeout().toMillis() + "ms",
            "pekko.http.server.request-timeout", settings.maxTimeout().plusSeconds(5).toMillis() + "ms"))
        .withFallback(config);
  }

  /**
   * How long a region may go without answering this rig's RTT probes before routing counts it
   * lost: two probe periods (an answer may just be late), never less than a probe is waited for,
   * so a busy rig's late answers are not taken for a dead region.
   */
  private static Duration silentAfter(ClusterSettings cluster) {
    Duration twoPeriods = cluster.probeInterval().multipliedBy(2);
    return twoPeriods.compareTo(cluster.probeTimeout()) >= 0 ? twoPeriods : cluster.probeTimeout();
  }

  /** The smallest model-memory budget among the rigs of {@code regions} (every region when empty). */
  private static long smallestBudget(TopologyCache topology, List<String> regions) {
    return topology.view().stream()
        .flatMap(v -> v.members().stream())
        .filter(m -> regions.isEmpty() || regions.contains(m.region()))
        .flatMap(m -> m.identity().stream())
        .mapToLong(RigIdentity::modelMemoryBytes)
        .min()
        .orElseThrow(() -> new InvalidInput("no rig is known in regions " + regions));
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

  /** The port of /metrics; empty when metrics are off. */
  public Optional<Integer> metricsPort() {
    return metrics.map(MetricsEndpoint::port);
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
