package io.rigserve.cluster.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.RestartingRig;
import io.rigserve.cluster.RigCluster;
import io.rigserve.cluster.management.HostedReplicasSource;
import io.rigserve.cluster.management.RigManagement;
import io.rigserve.cluster.node.ClusterSettings;
import io.rigserve.cluster.node.RigConfig;
import io.rigserve.cluster.node.RigSettings;
import io.rigserve.cluster.topology.RegionTopology;
import io.rigserve.cluster.topology.TopologyView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;

/**
 * Several rigs in one JVM, on 127.0.0.1 with free ports, in named regions with real coordinates,
 * joined into one cluster through the same code a real rig runs ({@link RigConfig}, {@link
 * RigCluster}, {@link RestartingRig}). Can crash a rig or a region, cut a region off and heal it.
 * Timings are short (see {@link #TEST_TIMINGS}) so failure tests take seconds. Close it after use.
 */
public final class ClusterHarness implements AutoCloseable {

  /** A region and where it stands. */
  public record Region(String name, double latitude, double longitude) {
    public static final Region US_EAST = new Region("us-east", 39.0, -77.5);
    public static final Region EU_WEST = new Region("eu-west", 53.3, -6.3);
    public static final Region SA_EAST = new Region("sa-east", -23.5, -46.6);
    public static final Region AF_SOUTH = new Region("af-south", -33.9, 18.4);
  }

  public static final String SYSTEM_NAME = "rigserve";

  /**
   * Failure detection in about 2.5 s inside a region and between regions, the resolver deciding
   * 2 s later, a lost region downed 6 s after it became unreachable, RTT probes every 300 ms, a
   * downed rig restarted after 500 ms.
   * Pauses stay at 2 s: shorter ones mistake a busy two-core machine for a dead rig.
   */
  public static final Config TEST_TIMINGS =
      ConfigFactory.parseString(
          """
          rigserve.cluster {
            failure-detector.heartbeat-interval = 500ms
            failure-detector.acceptable-heartbeat-pause = 2s
            cross-region-failure-detector.heartbeat-interval = 500ms
            cross-region-failure-detector.acceptable-heartbeat-pause = 2s
            split-brain-resolver.stable-after = 2s
            region-down-grace = 6s
            restart-delay = 500ms
            rtt.probe-interval = 300ms
            rtt.probe-timeout = 2s
          }
          rigserve.management.port = 0
          pekko {
            remote.artery.advanced.test-mode = on
            coordinated-shutdown.run-by-actor-system-terminate = off
            coordinated-shutdown.run-by-jvm-shutdown-hook = off
            cluster {
              jmx.multi-mbeans-in-same-jvm = on
              gossip-interval = 300ms
              leader-actions-interval = 300ms
              unreachable-nodes-reaper-interval = 300ms
              periodic-tasks-initial-delay = 100ms
              seed-node-timeout = 2s
              retry-unsuccessful-join-after = 1s
              shutdown-after-unsuccessful-join-seed-nodes = off
            }
            actor.default-dispatcher.fork-join-executor.parallelism-max = 4
            actor.internal-dispatcher.fork-join-executor.parallelism-max = 2
          }
          """);

  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration TERMINATE_TIMEOUT = Duration.ofSeconds(15);

  private final Config extra;
  private final boolean management;
  private final HostedReplicasSource hosted;
  private final List<Rig> rigs = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> perRegion = new HashMap<>();
  private final Map<String, Config> ownConfig = new ConcurrentHashMap<>();

  private ClusterHarness(Config extra, boolean management, HostedReplicasSource hosted) {
    this.extra = extra;
    this.management = management;
    this.hosted = hosted;
  }

  /** Rigs without management servers. */
  public static ClusterHarness create() {
    return new ClusterHarness(ConfigFactory.empty(), false, HostedReplicasSource.NONE);
  }

  /** Rigs with {@code extra} config over the test timings. */
  public static ClusterHarness create(Config extra) {
    return new ClusterHarness(extra, false, HostedReplicasSource.NONE);
  }

  /** Every rig also runs its management server on a free port ({@link Rig#managementPort()}). */
  public static ClusterHarness withManagement(HostedReplicasSource hosted) {
    return new ClusterHarness(ConfigFactory.empty(), true, hosted);
  }

  /** Starts {@code count} rigs in each region, joins them and waits until all see all Up. */
  public List<Rig> startCluster(int count, Region... regions) {
    List<Rig> started = new ArrayList<>();
    for (Region region : regions) {
      for (int i = 0; i < count; i++) {
        started.add(startRig(region));
      }
    }
    join(started);
    awaitConverged(started);
    return started;
  }

  /** Starts one rig (not joined yet). */
  public Rig startRig(Region region) {
    return startRig(region, ConfigFactory.empty());
  }

  /**
   * Starts one rig (not joined yet) with settings of its own over the harness's, such as its
   * {@code rigserve.node.capacity.model-memory}; they hold in later incarnations too.
   */
  public synchronized Rig startRig(Region region, Config own) {
    int n = perRegion.merge(region.name(), 1, Integer::sum);
    Rig rig = new Rig(region.name() + "-" + n, region);
    ownConfig.put(rig.name(), own);
    RestartingRig restarting;
    try {
      Duration restartDelay =
          ClusterSettings.from(extra.withFallback(TEST_TIMINGS).withFallback(ConfigFactory.load())).restartDelay();
      restarting = RestartingRig.start(incarnation -> startSystem(rig, incarnation), restartDelay);
    } catch (Exception e) {
      throw new IllegalStateException("rig " + rig.name() + " did not start", e);
    }
    rig.started(restarting, Cluster.get(restarting.current().system()).selfMember().address().getPort().get());
    rigs.add(rig);
    return rig;
  }

  private RigCluster startSystem(Rig rig, int incarnation) throws Exception {
    Config config = RigConfig.forRig(rigConfig(rig, incarnation));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, config);
    try {
      RigCluster cluster = RigCluster.start(system, RigSettings.from(config), ClusterSettings.from(config));
      if (management) {
        rig.managementPort(RigManagement.start(cluster, hosted).toCompletableFuture().get(10, TimeUnit.SECONDS));
      }
      if (incarnation > 1) {
        cluster.rejoin();
      }
      return cluster;
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
  }

  private Config rigConfig(Rig rig, int incarnation) {
    Map<String, Object> node = new HashMap<>();
    node.put("rigserve.node.region", rig.region().name());
    node.put("rigserve.node.zone", rig.region().name() + "-a");
    node.put("rigserve.node.latitude", rig.region().latitude());
    node.put("rigserve.node.longitude", rig.region().longitude());
    node.put("rigserve.node.capacity.model-memory", "2 GiB");
    node.put("rigserve.node.host", "127.0.0.1");
    node.put("rigserve.node.system-name", SYSTEM_NAME);
    // The first actor system takes a free port; a restarted one takes the same port again.
    node.put("rigserve.node.port", incarnation == 1 ? 0 : rig.port());
    node.put("rigserve.node.seed-nodes", incarnation == 1 ? "" : seedsBesides(rig));
    return ownConfig.getOrDefault(rig.name(), ConfigFactory.empty())
        .withFallback(ConfigFactory.parseMap(node))
        .withFallback(extra)
        .withFallback(TEST_TIMINGS)
        .withFallback(ConfigFactory.load());
  }

  private String seedsBesides(Rig rig) {
    return rigs.stream()
        .filter(r -> r != rig && !r.isCrashed())
        .map(r -> "127.0.0.1:" + r.port())
        .collect(Collectors.joining(","));
  }

  /** Joins {@code newRigs} to the cluster: to the first rig ever started (which forms it). */
  public void join(List<Rig> newRigs) {
    Rig first = rigs.get(0);
    for (Rig rig : newRigs) {
      if (rig == first) {
        rig.cluster().join();
      } else {
        Cluster.get(rig.system()).manager().tell(new JoinSeedNodes(List.of(first.address())));
      }
    }
  }

  /** Waits until each of {@code group} sees every rig of the group Up. */
  public void awaitConverged(List<Rig> group) {
    List<Address> addresses = group.stream().map(Rig::address).toList();
    Eventually.await(JOIN_TIMEOUT, "all rigs Up: " + group, () ->
        group.stream().allMatch(r -> r.isUp() && r.seenUpMembers().containsAll(addresses)));
  }

  public List<Rig> rigs() {
    return List.copyOf(rigs);
  }

  public List<Rig> rigsIn(Region region) {
    return rigs.stream().filter(r -> r.region().equals(region)).toList();
  }

  public List<Rig> rigsOutside(Region region) {
    return rigs.stream().filter(r -> !r.region().equals(region)).toList();
  }

  /** This rig's topology view, asked from its {@code RegionTopology}. */
  public static TopologyView topology(Rig rig) {
    try {
      return AskPattern.<RegionTopology.Command, TopologyView>ask(
              rig.cluster().topology(),
              RegionTopology.GetTopology::new,
              Duration.ofSeconds(3),
              rig.system().scheduler())
          .toCompletableFuture()
          .get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("no topology from " + rig, e);
    }
  }

  /** Stops the rig's actor system without leaving the cluster, like a killed process. */
  public void crash(Rig rig) {
    rig.markCrashed();
    rig.restarting().stopRestarting();
    rig.system().terminate();
    await(rig.system().getWhenTerminated().toCompletableFuture());
  }

  public void crashRegion(Region region) {
    rigsIn(region).forEach(this::crash);
  }

  /** Drops all traffic between the region's rigs and every other rig, both ways. */
  public void cutOff(Region region) {
    throttle(region, ThrottlerTransportAdapter.blackholeThrottleMode());
  }

  /** Lets traffic flow again between the region and the others. */
  public void heal(Region region) {
    throttle(region, ThrottlerTransportAdapter.unthrottledThrottleMode());
  }

  private void throttle(Region region, ThrottlerTransportAdapter.ThrottleMode mode) {
    for (Rig inside : rigsIn(region)) {
      for (Rig outside : rigsOutside(region)) {
        if (!inside.isTerminated() && !outside.isTerminated()) {
          setThrottle(inside, outside.address(), mode);
          setThrottle(outside, inside.address(), mode);
        }
      }
    }
  }

  private static void setThrottle(Rig rig, Address to, ThrottlerTransportAdapter.ThrottleMode mode) {
    ExtendedActorSystem classic = (ExtendedActorSystem) Adapter.toClassic(rig.system());
    RemoteActorRefProvider provider = (RemoteActorRefProvider) classic.provider();
    ThrottlerTransportAdapter.SetThrottle command =
        new ThrottlerTransportAdapter.SetThrottle(to, ThrottlerTransportAdapter.bothDirection(), mode);
    provider.transport().managementCommand(command);
  }

  /** Terminates every rig still running and waits (bounded) for all of them. */
  @Override
  public void close() {
    List<CompletableFuture<?>> terminated = new ArrayList<>();
    for (Rig rig : rigs) {
      if (rig.restarting() == null) continue;
      rig.restarting().stopRestarting();
      rig.system().terminate();
      terminated.add(rig.system().getWhenTerminated().toCompletableFuture());
    }
    await(CompletableFuture.allOf(terminated.toArray(CompletableFuture[]::new)));
    rigs.clear();
  }

  private static void await(CompletableFuture<?> future) {
    try {
      future.get(TERMINATE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("rigs did not terminate within " + TERMINATE_TIMEOUT, e);
    }
  }
}
