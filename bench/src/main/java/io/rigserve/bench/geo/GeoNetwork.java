package io.rigserve.bench.geo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The simulated WAN's wiring: one network namespace per region, each joined by a veth pair to a
 * bridge in the root namespace (10.231.0.1/24, the load clients' side). A region's rigs bind its
 * transit address on the bridge; the canonical addresses of all regions (10.232.R.1) are local
 * addresses in every namespace, where that namespace's {@link DelayProxy} listens: so every
 * connection between rigs leaves through the proxy of the region that opens it. No NAT and no
 * packet filter are needed, only iproute2 and root.
 */
public final class GeoNetwork implements AutoCloseable {

  static final String BRIDGE = "rsgeo-br";
  static final String ROOT_HOST = "10.231.0.1";

  private final List<GeoRegion> regions;

  private GeoNetwork(List<GeoRegion> regions) {
    this.regions = regions;
  }

  /** Whether this process may build namespaces (root with iproute2), and if not, why. */
  public static String unavailableReason() {
    try {
      Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) return "ip netns list failed: " + out;
    } catch (IOException | InterruptedException e) {
      return "iproute2 is not available: " + e;
    }
    String user = System.getProperty("user.name");
    return "root".equals(user) ? null : "network namespaces need root (running as " + user + ")";
  }

  /** Removes whatever an earlier run left, then builds the namespaces and the bridge. */
  public static GeoNetwork create(List<GeoRegion> regions) throws IOException, InterruptedException {
    GeoNetwork net = new GeoNetwork(regions);
    net.removeLeftovers();
    ip("link", "add", BRIDGE, "type", "bridge");
    ip("addr", "add", ROOT_HOST + "/24", "dev", BRIDGE);
    ip("link", "set", BRIDGE, "up");
    for (GeoRegion r : regions) {
      String ns = r.namespace();
      String veth = "rsgeo-v" + r.index();
      ip("netns", "add", ns);
      ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
      ip("link", "set", veth, "master", BRIDGE, "up");
      ip("-n", ns, "link", "set", "lo", "up");
      ip("-n", ns, "addr", "add", r.transitHost() + "/24", "dev", "eth0");
      ip("-n", ns, "link", "set", "eth0", "up");
      for (GeoRegion other : regions) ip("-n", ns, "addr", "add", other.canonicalHost() + "/32", "dev", "lo");
    }
    return net;
  }

  public List<GeoRegion> regions() {
    return regions;
  }

  /**
   * Takes the region's link down (its namespace's end of the veth): its host vanishes, so peers'
   * connects and sends to it hang instead of being refused; {@code false} brings the link back.
   */
  public void linkDown(GeoRegion region, boolean down) throws IOException, InterruptedException {
    ip("-n", region.namespace(), "link", "set", "eth0", down ? "down" : "up");
  }

  /** Kills every process still in the namespaces, then removes them and the bridge. */
  @Override
  public void close() {
    try {
      removeLeftovers();
    } catch (IOException | InterruptedException e) {
      System.err.println("could not remove the geo network: " + e);
    }
  }

  private void removeLeftovers() throws IOException, InterruptedException {
    for (GeoRegion r : regions) {
      if (!run(List.of("ip", "netns", "list")).contains(r.namespace())) continue;
      for (String pid : run(List.of("ip", "netns", "pids", r.namespace())).split("\\s+")) {
        if (!pid.isBlank()) run(List.of("kill", "-9", pid.trim()));
      }
      run(List.of("ip", "netns", "del", r.namespace()));
    }
    run(List.of("ip", "link", "del", BRIDGE));
  }

  private static void ip(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("ip");
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out.trim());
    }
  }

  /** Runs a command, ignoring failure (for clean-up), and returns what it printed. */
  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    return out;
  }
}
