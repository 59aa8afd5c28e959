package io.rigserve.cluster.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.cluster.settings.InvalidSetting;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployKeysTest {

  private static final byte[] CONTENT = "model@1 K=2 sha256 a b".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path dir;

  @Test
  void aKeyReadFromItsFilesSignsWhatItsTrustedPublicHalfVerifiesAndNothingElse() throws Exception {
    KeyPair operator = ed25519();
    KeyPair other = ed25519();
    Path key = Files.writeString(dir.resolve("deploy.key"), "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(operator.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    Path trusted = Files.writeString(dir.resolve("trusted"), "# operators\n"
        + Base64.getEncoder().encodeToString(other.getPublic().getEncoded()) + "\n\n"
        + Base64.getEncoder().encodeToString(operator.getPublic().getEncoded()) + "\n");
    DeployKeys keys = DeployKeys.from(settings(Optional.of(key), Optional.of(trusted)));

    assertTrue(keys.enforced());
    DeployKeys.Signed signed = keys.sign(CONTENT).orElseThrow();
    assertEquals(DeployKeys.keyId(operator.getPublic()), signed.keyId());
    assertEquals(Optional.empty(), keys.refusal(CONTENT, signed.keyId(), signed.signature()));

    byte[] altered = CONTENT.clone();
    altered[altered.length - 1] = 'c';
    assertTrue(keys.refusal(altered, signed.keyId(), signed.signature()).orElseThrow().contains("does not match"));
    assertTrue(keys.refusal(CONTENT, "", new byte[0]).orElseThrow().contains("not signed"));
    DeployKeys.Signed stranger = DeployKeys.of(Optional.of(ed25519().getPrivate()), List.of()).sign(CONTENT).orElseThrow();
    assertEquals("untrusted", stranger.keyId());
    assertTrue(keys.refusal(CONTENT, stranger.keyId(), stranger.signature()).orElseThrow().contains("does not trust"));
    // The other trusted key's id with the operator's signature: verified against that key, refused.
    assertTrue(keys.refusal(CONTENT, DeployKeys.keyId(other.getPublic()), signed.signature()).isPresent());
  }

  @Test
  void withoutTrustedKeysNothingIsCheckedAndNothingSigned() {
    DeployKeys none = DeployKeys.from(settings(Optional.empty(), Optional.empty()));
    assertFalse(none.enforced());
    assertEquals(Optional.empty(), none.sign(CONTENT));
    assertEquals(Optional.empty(), none.refusal(CONTENT, "", new byte[0]));
  }

  @Test
  void aTrustedKeysFileWithALineThatIsNoKeyStopsTheStartNamingTheSetting() throws Exception {
    Path trusted = Files.writeString(dir.resolve("trusted"), "not a key\n");
    InvalidSetting refusal = assertThrows(InvalidSetting.class, () -> DeployKeys.from(settings(Optional.empty(), Optional.of(trusted))));
    assertTrue(refusal.getMessage().contains("trusted-deploy-keys-file"), refusal.getMessage());
    Path empty = Files.writeString(dir.resolve("empty"), "# nobody yet\n");
    assertThrows(InvalidSetting.class, () -> DeployKeys.from(settings(Optional.empty(), Optional.of(empty))));
  }

  private static SecuritySettings settings(Optional<Path> key, Optional<Path> trusted) {
    return new SecuritySettings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false,
        Duration.ofMinutes(5), key, trusted);
  }

  private static KeyPair ed25519() throws Exception {
    return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
  }
}
