package io.rigserve.serving.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.security.StartupSecurity;
import io.rigserve.serving.Rig;
import io.rigserve.serving.TestRig;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A real rig that binds off loopback starts only with TLS and an admin token, or by the insecure switch. */
class SecureByDefaultTest {

  @Test
  void aRigBoundOffLoopbackWithoutTlsOrAdminTokenRefusesToStartBeforeBindingAndNamesWhatIsMissing() throws Exception {
    int httpPort = TestRig.freePort();
    Path repository = Files.createTempDirectory("rigserve-public");
    var config = ConfigFactory.parseString("rigserve.serving.http-host = \"0.0.0.0\"\n"
            + "rigserve.serving.http-port = " + httpPort + "\n"
            + "rigserve.repository.path = \"" + repository.toString().replace("\\", "/") + "\"")
        .withFallback(ConfigFactory.load());
    StartupSecurity.UnsafeStart refusal = assertThrows(StartupSecurity.UnsafeStart.class, () -> Rig.start(config));
    String message = refusal.getMessage();
    assertTrue(message.contains("0.0.0.0"), message);
    assertTrue(message.contains("RIGSERVE_TLS_DIR"), message);
    assertTrue(message.contains("RIGSERVE_ADMIN_TOKEN_FILE"), message);
    assertTrue(message.contains("RIGSERVE_INSECURE=1"), message);
    try (ServerSocket stillFree = new ServerSocket(httpPort)) {
      assertEquals(httpPort, stillFree.getLocalPort(), "the refused rig bound nothing");
    }
  }

  @Test
  void withTheInsecureSwitchItStartsAndSaysSoInAdminCluster() throws Exception {
    Path repository = Files.createTempDirectory("rigserve-insecure");
    try (TestRig rig = TestRig.start(repository,
        "rigserve.serving.http-host = \"0.0.0.0\"\nrigserve.security.insecure = \"1\"")) {
      assertEquals(200, rig.get("/v2/health/live").status());
      TestRig.Reply cluster = rig.getManagement("/admin/cluster");
      assertEquals(200, cluster.status(), cluster.body());
      assertTrue(cluster.json().get("insecure").asBoolean(), cluster.body());
    }
  }
}
