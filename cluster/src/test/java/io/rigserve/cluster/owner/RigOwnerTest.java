package io.rigserve.cluster.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.node.RigConfig;
import io.rigserve.cluster.settings.InvalidSetting;
import io.rigserve.cluster.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RigOwnerTest {

  private static Config config(String hocon) {
    return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load());
  }

  @Test
  void withTlsTheOwnerIsTheCertificatesOrganizationWhateverTheSettingSays() throws Exception {
    Path ca = TestCertificates.make(Files.createTempDirectory("owner-ca"), "eu1@alice");
    Config c = config("rigserve.security.tls-dir = \"" + ca.resolve("eu1") + "\"\nrigserve.node.owner = mallory");
    assertEquals("alice", RigOwner.of(c));
    assertTrue(RigConfig.forRig(c).getStringList("pekko.cluster.roles").contains("owner:alice"));
  }

  @Test
  void withoutTlsTheSettingNamesTheOwnerAndItsDefaultDiffersFromRigToRig() {
    assertEquals("bob", RigOwner.of(config("rigserve.node.owner = bob")));
    assertEquals("rig-127.0.0.1-7355", RigOwner.of(config("")));
    assertNotEquals(RigOwner.of(config("rigserve.node.port = 0")), RigOwner.of(config("rigserve.node.port = 0")));
    assertThrows(InvalidSetting.class, () -> RigOwner.of(config("rigserve.node.owner = \"owner:x,y\"")));
  }

  @Test
  void theOwnerRoleIsAddedOnceBesideOtherRoles() {
    Config derived = RigConfig.forRig(config("rigserve.node.owner = carol\npekko.cluster.roles = [gpu]"));
    assertEquals(java.util.List.of("gpu", "owner:carol"), derived.getStringList("pekko.cluster.roles"));
    assertEquals(derived.getStringList("pekko.cluster.roles"),
        RigConfig.forRig(derived).getStringList("pekko.cluster.roles"));
  }
}
