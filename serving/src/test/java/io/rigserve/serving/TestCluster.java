package io.rigserve.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import io.rigserve.cluster.testkit.ClusterHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import io.rigserve.sharding.replica.PartitionRuntimes;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;

/**
 * Whole rigs in named regions in one JVM, with the cluster harness's short timings: start, crash
 * (no leave), stop, and read what the management port says. Rigs keep their repository folders
 * across restarts.
 */
public final class TestCluster implements AutoCloseable {

  static final String TIMINGS = """
      rigserve.placement.interval = 300ms
      rigserve.placement.rebalance-interval = 500ms
      rigserve.replica.load-retry-min = 200ms
      rigserve.replica.load-retry-max = 2s
      pekko.cluster.distributed-data.gossip-interval = 200ms
      pekko.cluster.distributed-data.notify-subscribers-interval = 100ms
      pekko.cluster.sharding.retry-interval = 300ms
      pekko.actor.serialize-messages = off
      """;

  private final Map<String, TestRig> rigs = new HashMap<>();
  private final Map<String, Path> repositories = new HashMap<>();
  private final List<String> running = new ArrayList<>();
  private final List<Integer> seeds = new ArrayList<>();
  private final Map<String, String> regionOf = new HashMap<>();

  /** Starts a rig and waits until it is ready; the first rigs started are the seeds. */
  public TestRig start(String name, String region, double latitude, double longitude, String budget) throws Exception {
    return start(name, region, latitude, longitude, budget, "");
  }

  /** Starts a rig as {@link #start(String, String, double, double, String)} with {@code extraConfig} (HOCON) on top. */
  public TestRig start(String name, String region, double latitude, double longitude, String budget, String extraConfig)
      throws Exception {
    return start(name, region, latitude, longitude, budget, extraConfig, UnaryOperator.identity());
  }

  /** Starts a rig whose replicas run what {@code runtimes} makes of its own (faulty hardware, say). */
  public TestRig start(String name, String region, double latitude, double longitude, String budget, String extraConfig,
      UnaryOperator<PartitionRuntimes> runtimes) throws Exception {
    Path repo = repositories.computeIfAbsent(name, n -> {
      try {
        return Files.createTempDirectory("rigserve-" + n);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    TestRig rig = TestRig.start(repo, rigSettings(name, region, latitude, longitude, budget) + extraConfig + "\n", runtimes);
    if (seeds.size() < 2) seeds.add(rig.rig.system().address().getPort().get());
    rigs.put(name, rig);
    regionOf.put(name, region);
    running.add(name);
    return rig;
  }

  /** HOCON for a rig of this cluster: the short timings, its identity and the seeds. */
  private String rigSettings(String name, String region, double latitude, double longitude, String budget) {
    String harness = ClusterHarness.TEST_TIMINGS.root().render(ConfigRenderOptions.concise());
    String seedList = String.join(",", seeds.stream().map(p -> "127.0.0.1:" + p).toList());
    return TIMINGS + harness.substring(1, harness.length() - 1) + "\n"
        + "rigserve.node { region = " + region + ", zone = " + name + ", latitude = " + latitude
        + ", longitude = " + longitude + ", capacity.model-memory = " + budget + ", seed-nodes = \"" + seedList + "\" }\n";
  }

  /**
   * The whole configuration of a rig that joins this cluster but is started by the caller (as a
   * {@link RigProcess}, say): free ports, a temporary repository.
   */
  public Config configFor(String name, String region, double latitude, double longitude, String budget) throws IOException {
    Path repo = Files.createTempDirectory("rigserve-" + name);
    repositories.put(name, repo);
    return ConfigFactory.parseString(rigSettings(name, region, latitude, longitude, budget)
            + "rigserve.repository.path = \"" + repo.toString().replace("\\", "/") + "\"\n"
            + "rigserve.node.data-plane-port = " + TestRig.freePort() + "\n")
        .withFallback(ConfigFactory.load());
  }

  /** Cuts {@code system} off from every running rig of this cluster (both directions), or heals the cut. */
  public void cut(ActorSystem<?> system, boolean cut) {
    ThrottlerTransportAdapter.ThrottleMode mode = cut
        ? ThrottlerTransportAdapter.blackholeThrottleMode() : ThrottlerTransportAdapter.unthrottledThrottleMode();
    for (String other : running) {
      ActorSystem<?> peer = rigs.get(other).rig.system();
      setThrottle(system, peer, mode);
      setThrottle(peer, system, mode);
    }
  }

  public TestRig rig(String name) {
    return rigs.get(name);
  }

  public Path repository(String name) {
    return repositories.get(name);
  }

  public String address(String name) {
    return rigs.get(name).rig.system().address().toString();
  }

  /** Ends a rig as a crash would: no leave, no hand-off. */
  public void crash(String name) {
    TestRig rig = rigs.get(name);
    rig.rig.cluster().lifecycle().stopping();
    rig.rig.system().terminate();
    running.remove(name);
  }

  /** Cuts every running rig of {@code region} off from every other rig (both directions), as a network partition would. */
  public void cut(String region) {
    throttle(region, ThrottlerTransportAdapter.blackholeThrottleMode());
  }

  public void heal(String region) {
    throttle(region, ThrottlerTransportAdapter.unthrottledThrottleMode());
  }

  private void throttle(String region, ThrottlerTransportAdapter.ThrottleMode mode) {
    for (String inside : running) {
      if (!regionOf.get(inside).equals(region)) continue;
      for (String outside : running) {
        if (regionOf.get(outside).equals(region)) continue;
        setThrottle(inside, outside, mode);
        setThrottle(outside, inside, mode);
      }
    }
  }

  private void setThrottle(String from, String to, ThrottlerTransportAdapter.ThrottleMode mode) {
    setThrottle(rigs.get(from).rig.system(), rigs.get(to).rig.system(), mode);
  }

  private static void setThrottle(ActorSystem<?> from, ActorSystem<?> to, ThrottlerTransportAdapter.ThrottleMode mode) {
    ExtendedActorSystem classic = (ExtendedActorSystem) Adapter.toClassic(from);
    RemoteActorRefProvider provider = (RemoteActorRefProvider) classic.provider();
    provider.transport().managementCommand(new ThrottlerTransportAdapter.SetThrottle(
        to.address(), ThrottlerTransportAdapter.bothDirection(), mode));
  }

  /** Stops a rig gracefully (it leaves the cluster). */
  public void stop(String name) throws Exception {
    rigs.get(name).close();
    running.remove(name);
  }

  /** A deployed model as {@code /admin/models} of a running rig shows it. */
  public JsonNode model(String name) {
    try {
      for (JsonNode m : rigs.get(running.get(0)).getManagement("/admin/models").json().get("models")) {
        if (m.get("name").asText().equals(name)) return m;
      }
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
    throw new AssertionError("no model " + name);
  }

  public List<JsonNode> readyReplicas(String name) {
    try {
      List<JsonNode> ready = new ArrayList<>();
      for (JsonNode r : model(name).get("replicas")) if (r.get("state").asText().equals("ready")) ready.add(r);
      return ready;
    } catch (RuntimeException | AssertionError e) {
      return List.of();
    }
  }

  public static void await(Duration max, String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) return;
      Thread.sleep(200);
    }
    throw new AssertionError("not within " + max + ": " + what);
  }

  @Override
  public void close() {
    for (String name : List.copyOf(running)) {
      try {
        rigs.get(name).close();
      } catch (Exception ignored) {
        // already stopped
      }
    }
  }
}
