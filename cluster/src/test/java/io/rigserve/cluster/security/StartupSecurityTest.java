package io.rigserve.cluster.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StartupSecurityTest {

  private static final SecuritySettings NOTHING =
      new SecuritySettings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false, Duration.ofMinutes(5));

  private static SecuritySettings with(boolean tls, boolean token, boolean insecure) {
    return new SecuritySettings(tls ? Optional.of(Path.of("/certs/rig")) : Optional.empty(), Optional.empty(),
        Optional.empty(), token ? Optional.of(Path.of("/secrets/admin")) : Optional.empty(), insecure, Duration.ofMinutes(5));
  }

  @Test
  void aRigBoundToLoopbackOnlyNeedsNothing() {
    StartupSecurity verdict = StartupSecurity.of(List.of("127.0.0.1", "localhost", "::1", "127.0.1.1"), NOTHING);
    assertFalse(verdict.refused());
    assertFalse(verdict.runsInsecure());
    assertEquals(List.of(), verdict.missing());
    verdict.check();
  }

  @Test
  void aRigBindingAnyOtherAddressWithoutTlsAndTokenIsRefusedNamingEveryMissingPieceAndItsSetting() {
    StartupSecurity verdict = StartupSecurity.of(List.of("127.0.0.1", "0.0.0.0", "127.0.0.1"), NOTHING);
    assertTrue(verdict.refused());
    StartupSecurity.UnsafeStart refusal = assertThrows(StartupSecurity.UnsafeStart.class, verdict::check);
    String message = refusal.getMessage();
    assertTrue(message.contains("binds 0.0.0.0 (not loopback)"), message);
    assertTrue(message.contains("RIGSERVE_TLS_DIR") && message.contains("rigserve.security.tls-dir"), message);
    assertTrue(message.contains("RIGSERVE_ADMIN_TOKEN_FILE") && message.contains("rigserve.security.admin-token-file"), message);
    assertTrue(message.contains("RIGSERVE_INSECURE=1"), message);
  }

  @Test
  void onlyWhatIsMissingIsNamed() {
    StartupSecurity tlsOnly = StartupSecurity.of(List.of("10.0.0.5"), with(true, false, false));
    assertEquals(List.of(StartupSecurity.MISSING_ADMIN_TOKEN), tlsOnly.missing());
    StartupSecurity tokenOnly = StartupSecurity.of(List.of("rig1.example.org"), with(false, true, false));
    assertEquals(List.of(StartupSecurity.MISSING_TLS), tokenOnly.missing());
    StartupSecurity both = StartupSecurity.of(List.of("0.0.0.0"), with(true, true, false));
    assertFalse(both.refused());
    assertFalse(both.runsInsecure());
  }

  @Test
  void theInsecureSwitchLetsARigStartOffLoopbackAndMarksItInsecure() {
    StartupSecurity verdict = StartupSecurity.of(List.of("0.0.0.0"), with(false, false, true));
    assertFalse(verdict.refused());
    assertTrue(verdict.runsInsecure());
    verdict.check();
    assertTrue(verdict.warning().startsWith("INSECURE"), verdict.warning());
    assertTrue(verdict.warning().contains("0.0.0.0"), verdict.warning());
    assertFalse(StartupSecurity.of(List.of("127.0.0.1"), with(false, false, true)).runsInsecure(),
        "on loopback nothing is missing, so the switch changes nothing");
  }

  @Test
  void onlyLiteralLoopbackAddressesCountAsLoopback() {
    for (String host : List.of("127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "0:0:0:0:0:0:0:1")) {
      assertTrue(StartupSecurity.isLoopback(host), host);
    }
    for (String host : List.of("0.0.0.0", "::", "10.232.1.1", "192.168.1.2", "rig.example.org", "localhost.evil.org",
        "127.0.0.1.nip.io", "")) {
      assertFalse(StartupSecurity.isLoopback(host), host);
    }
  }

  @Test
  void aRigOffLoopbackWithoutTrustedDeployKeysStartsButWarnsThatAnyMemberMayDeploy() {
    StartupSecurity unchecked = StartupSecurity.of(List.of("0.0.0.0"), with(true, true, false));
    assertFalse(unchecked.refused());
    assertTrue(unchecked.unsignedDeploymentsWarning().orElseThrow().contains("RIGSERVE_TRUSTED_DEPLOY_KEYS_FILE"));
    SecuritySettings trusting = new SecuritySettings(Optional.of(Path.of("/certs/rig")), Optional.empty(), Optional.empty(),
        Optional.of(Path.of("/secrets/admin")), false, Duration.ofMinutes(5), Optional.empty(), Optional.of(Path.of("/keys/trusted")));
    assertTrue(StartupSecurity.of(List.of("0.0.0.0"), trusting).unsignedDeploymentsWarning().isEmpty());
    assertTrue(StartupSecurity.of(List.of("127.0.0.1"), NOTHING).unsignedDeploymentsWarning().isEmpty());
  }
}
