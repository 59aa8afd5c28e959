package io.rigserve.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.serving.TestRig.Reply;
import io.rigserve.serving.onnx.OnnxGraphBuilder;
import io.rigserve.sharding.tensor.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

/** A rig told to stop drains what it is answering, then leaves the cluster. */
class GracefulLeaveTest {

  private static final int WIDTH = 384;
  private static final int LAYERS = 320;

  @Test
  void aStoppingRigFinishesItsInFlightRequestsAndLeavesTheCluster() throws Exception {
    Path repoA = repository();
    Path repoB = repository();
    try (TestRig a = TestRig.start(repoA, "")) {
      int seedPort = a.rig.system().address().getPort().get();
      TestRig b = TestRig.start(repoB, "rigserve.node.seed-nodes = \"127.0.0.1:" + seedPort + "\"");
      Address bAddress = b.rig.system().address();
      awaitMembers(a, 2);

      String body = "{\"inputs\":[{\"name\":\"x\",\"shape\":[64," + WIDTH + "],\"datatype\":\"FP32\",\"data\":"
          + Arrays.toString(ones(64 * WIDTH)) + "}]}";
      // Both rigs deploy the model from their own disks; let their deployments settle first,
      // and learn how long one request takes on this machine.
      long oneRequestMillis = Long.MAX_VALUE;
      for (int settled = 0, tries = 0; settled < 2 && tries < 50; tries++) {
        long started = System.nanoTime();
        Reply warm = b.post("/v2/models/slow/infer", body);
        if (warm.status() == 200) {
          settled++;
          oneRequestMillis = Math.min(oneRequestMillis, (System.nanoTime() - started) / 1_000_000);
        } else {
          settled = 0;
        }
        Thread.sleep(500);
      }
      List<CompletableFuture<Reply>> inFlight = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        inFlight.add(CompletableFuture.supplyAsync(() -> {
          try {
            return b.post("/v2/models/slow/infer", body);
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        }));
      }
      // Four requests on a replica that runs two at a time: none can be done a quarter of one request in.
      Thread.sleep(Math.max(1, oneRequestMillis / 4));
      assertTrue(inFlight.stream().noneMatch(CompletableFuture::isDone), "the requests were not in flight (one takes "
          + oneRequestMillis + " ms): " + inFlight.stream().filter(CompletableFuture::isDone).map(f -> f.join().status()).toList());
      b.rig.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);

      for (CompletableFuture<Reply> reply : inFlight) {
        Reply r = reply.get(30, TimeUnit.SECONDS);
        assertEquals(200, r.status(), r.body());
      }
      // Coordinated shutdown's last phase starts the termination; it completes just after.
      b.rig.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertTrue(b.rig.system().whenTerminated().isCompleted());
      long deadline = System.currentTimeMillis() + 20_000;
      while (System.currentTimeMillis() < deadline && memberAddresses(a).contains(bAddress)) {
        Thread.sleep(200);
      }
      assertTrue(!memberAddresses(a).contains(bAddress), "the stopped rig is still a member: " + memberAddresses(a));
      assertEquals(200, a.get("/v2/models/slow/ready").status());
    }
  }

  /** A model slow enough to be in flight when the stop comes: a chain of shared-weight MatMuls. */
  private static Path repository() throws Exception {
    Path root = Files.createTempDirectory("rigserve-leave");
    OnnxGraphBuilder g = OnnxGraphBuilder.graph("slow")
        .input("x", DataType.FP32, -1, WIDTH)
        .initializer("w", scaledIdentity(), WIDTH, WIDTH);
    String previous = "x";
    for (int i = 0; i < LAYERS; i++) {
      g.node("MatMul", List.of(previous, "w"), List.of("h" + i));
      previous = "h" + i;
    }
    g.node("Identity", List.of(previous), List.of("y")).output("y", DataType.FP32, -1, WIDTH);
    Path dir = root.resolve("slow").resolve("1");
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.onnx"), g.toBytes());
    return root;
  }

  private static float[] scaledIdentity() {
    float[] w = new float[WIDTH * WIDTH];
    for (int i = 0; i < WIDTH; i++) w[i * WIDTH + i] = 1f;
    return w;
  }

  private static float[] ones(int n) {
    float[] v = new float[n];
    Arrays.fill(v, 1f);
    return v;
  }

  private static void awaitMembers(TestRig rig, int n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline && memberAddresses(rig).size() < n) Thread.sleep(100);
    assertEquals(n, memberAddresses(rig).size());
  }

  private static List<Address> memberAddresses(TestRig rig) {
    List<Address> out = new ArrayList<>();
    Cluster.get(rig.rig.system()).state().getMembers().forEach(m -> out.add(m.address()));
    return out;
  }
}
