package io.rigserve.bench.geo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One rig: a separate JVM running {@code io.rigserve.serving.Main} inside its region's network
 * namespace. Rig {@code slot} of a region uses ports 17000+10*slot: Artery +0, REST +1, gRPC +2,
 * management +3, data plane +4. Its repository and log stay in its folder across restarts, so a
 * restarted rig reuses the partition files it fetched before.
 */
public final class GeoRig {

  static final int BASE_PORT = 17000;

  private final GeoRegion region;
  private final int slot;
  private final Path dir;
  private final Map<String, String> env;
  private Process process;

  GeoRig(GeoRegion region, int slot, Path workDir, Map<String, String> env) {
    this.region = region;
    this.slot = slot;
    this.dir = workDir.resolve(name());
    this.env = env;
  }

  public String name() {
    return region.name() + "-" + slot;
  }

  public GeoRegion region() {
    return region;
  }

  static int arteryPort(int slot) {
    return BASE_PORT + 10 * slot;
  }

  static int dataPlanePort(int slot) {
    return BASE_PORT + 10 * slot + 4;
  }

  /** Artery address as seeds and cluster members name it. */
  public String canonicalAddress() {
    return region.canonicalHost() + ":" + arteryPort(slot);
  }

  public String restUrl() {
    return "http://" + region.transitHost() + ":" + (BASE_PORT + 10 * slot + 1);
  }

  public String managementUrl() {
    return "http://" + region.transitHost() + ":" + (BASE_PORT + 10 * slot + 3);
  }

  public Path log() {
    return dir.resolve("rig.log");
  }

  /** Starts the rig's JVM in its namespace (appending to its log). */
  void start(String seedNodes) throws IOException {
    Files.createDirectories(dir);
    // The log's own lines start with the time of day: this one tells when the JVM was started.
    Files.writeString(log(), java.time.LocalTime.now() + " geo: starting the rig's JVM\n",
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", region.namespace(),
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:MaxDirectMemorySize=512m", "-XX:+UseSerialGC",
        // Five JVMs starting on a shared 2-core machine: Artery's 3 s to bind its port was seen to run out.
        "-Dpekko.remote.artery.bind.bind-timeout=30s",
        "-cp", System.getProperty("java.class.path"), "io.rigserve.serving.Main"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    Map<String, String> e = pb.environment();
    e.putAll(env);
    int base = BASE_PORT + 10 * slot;
    e.put("RIGSERVE_REGION", region.name());
    e.put("RIGSERVE_ZONE", region.name() + "-" + (slot % 2));
    e.put("RIGSERVE_LATITUDE", Double.toString(region.latitude()));
    e.put("RIGSERVE_LONGITUDE", Double.toString(region.longitude()));
    e.put("RIGSERVE_MODEL_MEMORY", region.modelMemory());
    e.put("RIGSERVE_HOST", region.canonicalHost());
    e.put("RIGSERVE_BIND_HOST", region.transitHost());
    e.put("RIGSERVE_HTTP_HOST", region.transitHost());
    e.put("RIGSERVE_PORT", Integer.toString(base));
    e.put("RIGSERVE_HTTP_PORT", Integer.toString(base + 1));
    e.put("RIGSERVE_GRPC_PORT", Integer.toString(base + 2));
    e.put("RIGSERVE_MANAGEMENT_PORT", Integer.toString(base + 3));
    e.put("RIGSERVE_DATA_PLANE_PORT", Integer.toString(base + 4));
    e.put("RIGSERVE_METRICS_PORT", Integer.toString(base + 5));
    e.put("RIGSERVE_SEED_NODES", seedNodes);
    e.put("RIGSERVE_REPOSITORY", dir.resolve("models").toString());
    // The simulated WAN is private to this machine: its rigs bind transit addresses without TLS or token.
    e.putIfAbsent("RIGSERVE_INSECURE", "1");
    process = pb.start();
  }

  /** Kills the rig's JVM at once: no leave, no drain, as a crash or power loss does. */
  void kill() throws InterruptedException {
    if (process == null) return;
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
    process = null;
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** Ready as operators see it: {@code /ready} on the management port answers 200. */
  public boolean ready() {
    try {
      return alive() && GeoHttp.get(managementUrl() + "/ready").status() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
