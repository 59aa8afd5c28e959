package io.rigserve.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.testkit.TestCertificates;
import io.rigserve.serving.TestRig.Reply;
import io.rigserve.serving.demo.DemoModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

/**
 * Whole rigs with cluster TLS, certificates made by deploy/certs.sh: rigs of the cluster's CA
 * form a cluster and move partition files over the HTTPS data plane; a rig of another CA never
 * joins and gets no file.
 */
class TlsRigsTest {

  @Test
  void rigsOfTheClusterCaShareAModelOverHttpsAndARigOfAnotherCaNeverJoinsNorGetsIt() throws Exception {
    Path cluster = TestCertificates.make(Files.createTempDirectory("cluster-ca"), "a", "b");
    Path foreign = TestCertificates.make(Files.createTempDirectory("foreign-ca"), "c");
    Path repoA = Files.createTempDirectory("rig-a");
    Path repoB = Files.createTempDirectory("rig-b");
    Path repoC = Files.createTempDirectory("rig-c");
    try (TestRig a = TestRig.start(repoA, tls(cluster.resolve("a")) + "rigserve.repository.demo-model = on\n")) {
      assertTrue(a.rig.rigSettings().dataPlaneUrl().startsWith("https://"), a.rig.rigSettings().dataPlaneUrl());
      String seed = seedOf(a);
      try (TestRig b = TestRig.start(repoB, tls(cluster.resolve("b")) + seed)) {
        assertFetchedAndServed(repoA, repoB, b);

        Rig c = Rig.start(ConfigFactory.parseString(tls(foreign.resolve("c")) + seed
                + "rigserve.repository.path = \"" + repoC + "\"\nrigserve.node.data-plane-port = " + TestRig.freePort())
            .withFallback(ConfigFactory.load())).toCompletableFuture().get(60, TimeUnit.SECONDS);
        try {
          Address intruder = c.system().address();
          long until = System.nanoTime() + 8_000_000_000L;
          while (System.nanoTime() < until) {
            assertFalse(members(a).contains(intruder), "a rig of another CA became a member");
            assertFalse(members(b).contains(intruder), "a rig of another CA became a member");
            Thread.sleep(200);
          }
          assertFalse(Files.exists(repoC.resolve(".artifacts").resolve(DemoModels.MLP_NAME)), "the intruder got a partition file");
        } finally {
          c.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
      }
    }
  }

  @Test
  void withoutTlsRigsShareAModelOverPlainHttp() throws Exception {
    Path repoA = Files.createTempDirectory("rig-a");
    Path repoB = Files.createTempDirectory("rig-b");
    try (TestRig a = TestRig.start(repoA, "rigserve.repository.demo-model = on\n")) {
      assertTrue(a.rig.rigSettings().dataPlaneUrl().startsWith("http://"), a.rig.rigSettings().dataPlaneUrl());
      try (TestRig b = TestRig.start(repoB, seedOf(a))) {
        assertFetchedAndServed(repoA, repoB, b);
      }
    }
  }

  /** Two replicas per region on two rigs: b hosts one, so it must have fetched the file from a. */
  private static void assertFetchedAndServed(Path repoA, Path repoB, TestRig b) throws Exception {
    Path fetched = repoB.resolve(".artifacts").resolve(DemoModels.MLP_NAME).resolve("1").resolve("p0.onnx");
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline && !Files.isRegularFile(fetched)) Thread.sleep(200);
    assertTrue(Files.isRegularFile(fetched), "b never fetched the demo model's partition from a");
    assertArrayEquals(Files.readAllBytes(
        repoA.resolve(".artifacts").resolve(DemoModels.MLP_NAME).resolve("1").resolve("p0.onnx")), Files.readAllBytes(fetched));
    Reply reply = b.post("/v2/models/" + DemoModels.MLP_NAME + "/infer",
        "{\"inputs\":[{\"name\":\"" + DemoModels.MLP_INPUT + "\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}");
    assertEquals(200, reply.status(), reply.body());
  }

  private static String seedOf(TestRig seed) {
    return "rigserve.node.seed-nodes = \"127.0.0.1:" + seed.rig.system().address().getPort().get() + "\"\n";
  }

  private static String tls(Path dir) {
    return "rigserve.security.tls-dir = \"" + dir + "\"\n";
  }

  private static Set<Address> members(TestRig rig) {
    Set<Address> out = new HashSet<>();
    Cluster.get(rig.rig.system()).state().getMembers().forEach(m -> out.add(m.address()));
    return out;
  }
}
