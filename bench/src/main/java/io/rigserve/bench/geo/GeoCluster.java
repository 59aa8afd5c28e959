package io.rigserve.bench.geo;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A rigserve cluster across simulated regions: the {@link GeoNetwork}, one {@link DelayProxy}
 * per region namespace and the rigs, each a JVM of its own. Regions can be killed (every rig's
 * process killed), restarted, cut off from the others and healed.
 */
public final class GeoCluster implements AutoCloseable {

  private final GeoNetwork network;
  private final Path workDir;
  private final Map<String, List<GeoRig>> rigs = new LinkedHashMap<>();
  private final List<Process> proxies = new ArrayList<>();
  private final String seeds;

  private GeoCluster(GeoNetwork network, Path workDir, Map<String, String> rigEnv) {
    this.network = network;
    this.workDir = workDir;
    List<String> seedList = new ArrayList<>();
    for (GeoRegion r : network.regions()) {
      List<GeoRig> inRegion = new ArrayList<>();
      for (int slot = 0; slot < r.rigs(); slot++) inRegion.add(new GeoRig(r, slot, workDir, rigEnv));
      rigs.put(r.name(), inRegion);
      seedList.add(inRegion.get(0).canonicalAddress());
    }
    this.seeds = String.join(",", seedList);
  }

  /** Builds the network, starts the proxies and every rig, and waits until all rigs are ready. */
  public static GeoCluster start(List<GeoRegion> regions, Path workDir, Map<String, String> rigEnv,
      Duration readyWithin) throws Exception {
    GeoNetwork network = GeoNetwork.create(regions);
    GeoCluster cluster = new GeoCluster(network, workDir, rigEnv);
    try {
      Files.createDirectories(workDir);
      for (GeoRegion r : regions) cluster.startProxy(r);
      for (GeoRegion r : regions) cluster.startRigs(r.name());
      await(readyWithin, "every rig ready", () -> cluster.all().stream().allMatch(GeoRig::ready));
      return cluster;
    } catch (Exception | AssertionError e) {
      cluster.close();
      throw e;
    }
  }

  public List<GeoRig> rigs(String region) {
    return rigs.get(region);
  }

  /** The first rig of a region: where that region's clients send their requests. */
  public GeoRig gateway(String region) {
    return rigs.get(region).get(0);
  }

  public List<GeoRig> all() {
    return rigs.values().stream().flatMap(List::stream).toList();
  }

  public Path workDir() {
    return workDir;
  }

  /** Kills every rig of the region at once. */
  public void kill(String region) throws InterruptedException {
    for (GeoRig rig : rigs.get(region)) rig.kill();
  }

  /** Starts the region's rigs again (same addresses, same folders). */
  public void startRigs(String region) throws IOException {
    for (GeoRig rig : rigs.get(region)) rig.start(seeds);
  }

  /** Stops every byte between the region and the others; its rigs and its own clients carry on. */
  public void cut(String region) throws IOException {
    command("cut " + region);
  }

  public void heal() throws IOException {
    command("heal");
  }

  /** The region's network disappears (its link goes down); its rigs keep running, unreachable. */
  public void vanish(String region) throws IOException, InterruptedException {
    network.linkDown(regionNamed(region), true);
  }

  /** The region's network comes back. */
  public void reappear(String region) throws IOException, InterruptedException {
    network.linkDown(regionNamed(region), false);
  }

  private GeoRegion regionNamed(String name) {
    return network.regions().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  private void command(String line) throws IOException {
    for (Process p : proxies) {
      OutputStream in = p.getOutputStream();
      in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    }
  }

  private void startProxy(GeoRegion self) throws IOException {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", self.namespace(),
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx96m", "-Xss256k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), DelayProxy.class.getName(), self.name()));
    for (GeoRegion peer : network.regions()) {
      long oneWay = WanLatency.rttMillis(self.name(), peer.name()) / 2;
      for (int slot = 0; slot < peer.rigs(); slot++) {
        for (int port : new int[] {GeoRig.arteryPort(slot), GeoRig.dataPlanePort(slot)}) {
          command.add(peer.canonicalHost() + ":" + port + "=" + peer.transitHost() + ":" + port
              + "@" + peer.name() + "@" + oneWay);
        }
      }
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(workDir.resolve("proxy-" + self.name() + ".log").toFile()).start();
    proxies.add(p);
  }

  @Override
  public void close() {
    for (GeoRig rig : all()) {
      try {
        rig.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Process p : proxies) {
      p.destroyForcibly();
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    network.close();
  }

  /** Waits for a condition, polling; fails naming what did not happen, as {@code what} says it then. */
  public static void await(Duration max, Supplier<String> what, BooleanSupplier condition)
      throws InterruptedException {
    try {
      await(max, "", condition);
    } catch (AssertionError e) {
      throw new AssertionError("not within " + max + ": " + what.get());
    }
  }

  /** Waits for a condition, polling; fails naming what did not happen. */
  public static void await(Duration max, String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) return;
      Thread.sleep(250);
    }
    if (!condition.getAsBoolean()) throw new AssertionError("not within " + max + ": " + what);
  }
}
