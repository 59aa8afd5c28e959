package io.rigserve.cluster.security;

import static io.rigserve.cluster.testkit.ClusterHarness.Region.US_EAST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.settings.InvalidSetting;
import io.rigserve.cluster.node.RigConfig;
import io.rigserve.cluster.testkit.ClusterHarness;
import io.rigserve.cluster.testkit.Rig;
import io.rigserve.cluster.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Artery with mutual TLS: only rigs with a certificate of the cluster's CA become members. */
class RigAdmissionTest {

  private final ClusterHarness harness = ClusterHarness.create();

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void rigsOfTheClusterCaFormAClusterAndARigOfAnotherCaOrWithoutTlsNeverJoins() throws Exception {
    Path cluster = TestCertificates.make(Files.createTempDirectory("cluster-ca"), "a1", "a2");
    Path foreign = TestCertificates.make(Files.createTempDirectory("foreign-ca"), "b1");
    Rig a1 = harness.startRig(US_EAST, tls(cluster.resolve("a1")));
    Rig a2 = harness.startRig(US_EAST, tls(cluster.resolve("a2")));
    harness.join(List.of(a1, a2));
    harness.awaitConverged(List.of(a1, a2));

    Rig intruder = harness.startRig(US_EAST, tls(foreign.resolve("b1")));
    Rig plain = harness.startRig(US_EAST);
    harness.join(List.of(intruder, plain));

    // Join attempts are retried every second; ten seconds give each of them many tries.
    long until = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < until) {
      for (Rig member : List.of(a1, a2)) {
        assertFalse(member.seenMembers().contains(intruder.address()), member + " let in a rig of another CA");
        assertFalse(member.seenMembers().contains(plain.address()), member + " let in a rig without TLS");
      }
      assertFalse(intruder.isUp(), "a rig of another CA became Up");
      assertFalse(plain.isUp(), "a rig without TLS became Up");
      Thread.sleep(200);
    }
    assertEquals(2, a1.seenUpMembers().size());
  }

  @Test
  void aRigWhoseCertificateIsReplacedByANewOneOfTheSameCaStaysAndNewRigsStillJoinIt() throws Exception {
    Path ca = TestCertificates.make(Files.createTempDirectory("cluster-ca"), "a1", "a2");
    Rig a1 = harness.startRig(US_EAST, tls(ca.resolve("a1")));
    Rig a2 = harness.startRig(US_EAST, tls(ca.resolve("a2")));
    harness.join(List.of(a1, a2));
    harness.awaitConverged(List.of(a1, a2));
    String before = Files.readString(ca.resolve("a1/rig.pem"));

    TestCertificates.make(ca, "a1", "a3"); // a new key and certificate for a1, from the same CA
    assertFalse(before.equals(Files.readString(ca.resolve("a1/rig.pem"))));
    Thread.sleep(1500); // past the reload interval: the next connection reads the new files

    Rig a3 = harness.startRig(US_EAST, tls(ca.resolve("a3")));
    harness.join(List.of(a3));
    harness.awaitConverged(List.of(a1, a2, a3));
    assertTrue(a1.isUp() && a2.isUp());
  }

  @Test
  void aTlsFolderWithAKeyThatIsNotTheCertificatesStopsTheStartNamingTheSetting() throws Exception {
    Path ca = TestCertificates.make(Files.createTempDirectory("cluster-ca"), "a1", "a2");
    Files.copy(ca.resolve("a2/rig.key"), ca.resolve("a1/rig.key"), StandardCopyOption.REPLACE_EXISTING);
    InvalidSetting e = assertThrows(InvalidSetting.class,
        () -> RigConfig.forRig(tls(ca.resolve("a1")).withFallback(ConfigFactory.load())));
    assertEquals("rigserve.security.tls-dir", e.key());
    assertTrue(e.getMessage().contains("rig.key is not the RSA key of rig.pem"), e.getMessage());
  }

  private static Config tls(Path dir) {
    return ConfigFactory.parseMap(Map.of(
        "rigserve.security.tls-dir", dir.toString(),
        "rigserve.security.tls-reload-interval", "1s"));
  }
}
