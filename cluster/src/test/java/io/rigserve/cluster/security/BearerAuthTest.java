package io.rigserve.cluster.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.settings.InvalidSetting;
import io.rigserve.cluster.security.BearerAuth.Level;
import io.rigserve.cluster.security.BearerAuth.Verdict;
import java.time.Duration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerAuthTest {

  private static final String KEY_A = "a-very-secret-client-key-1";
  private static final String KEY_UNNAMED = "unnamed-secret-key-2";
  private static final String ADMIN = "operator-token-3";

  @TempDir Path dir;

  private BearerAuth auth(String keys, String token) throws IOException {
    Optional<Path> keysFile = Optional.empty();
    Optional<Path> tokenFile = Optional.empty();
    if (keys != null) keysFile = Optional.of(Files.writeString(dir.resolve("keys"), keys));
    if (token != null) tokenFile = Optional.of(Files.writeString(dir.resolve("token"), token));
    return BearerAuth.from(new SecuritySettings(Optional.empty(), Optional.empty(), keysFile, tokenFile, false, Duration.ofMinutes(5)));
  }

  private static Optional<String> bearer(String secret) {
    return Optional.of("Bearer " + secret);
  }

  @Test
  void keysAreReadWithNamesCommentsAndBlankLinesAndAnUnnamedKeyGetsANameThatDoesNotRevealIt() throws IOException {
    BearerAuth auth = auth("# clients\n\nteam-a:" + KEY_A + "\n  " + KEY_UNNAMED + "  \n", null);
    assertInstanceOf(Verdict.Unauthenticated.class, auth.check(Level.CLIENT, Optional.empty()));
    assertEquals(new Verdict.Allowed("team-a"), auth.check(Level.CLIENT, bearer(KEY_A)));
    Verdict unnamed = auth.check(Level.CLIENT, bearer(KEY_UNNAMED));
    String name = ((Verdict.Allowed) unnamed).caller();
    assertTrue(name.matches("key-[0-9a-f]{8}"), name);
    assertFalse(KEY_UNNAMED.contains(name.substring(4)), name);
  }

  @Test
  void withKeysInferenceNeedsAValidKeyOrTheAdminTokenAndTheHeaderIsParsedStrictly() throws IOException {
    BearerAuth auth = auth("team-a:" + KEY_A + "\n", ADMIN + "\n");
    assertInstanceOf(Verdict.Unauthenticated.class, auth.check(Level.CLIENT, Optional.empty()));
    assertInstanceOf(Verdict.Unauthenticated.class, auth.check(Level.CLIENT, bearer("wrong")));
    assertInstanceOf(Verdict.Unauthenticated.class, auth.check(Level.CLIENT, bearer(KEY_A + "x")));
    assertInstanceOf(Verdict.Unauthenticated.class, auth.check(Level.CLIENT, Optional.of("Basic " + KEY_A)));
    assertInstanceOf(Verdict.Unauthenticated.class, auth.check(Level.CLIENT, Optional.of(KEY_A)));
    assertEquals(new Verdict.Allowed("team-a"), auth.check(Level.CLIENT, Optional.of("bearer   " + KEY_A)));
    assertEquals(new Verdict.Allowed("admin"), auth.check(Level.CLIENT, bearer(ADMIN)));
  }

  @Test
  void adminLevelNeedsTheTokenAndTellsAValidKeyItIsNotEnough() throws IOException {
    BearerAuth auth = auth("team-a:" + KEY_A + "\n", "  " + ADMIN + "  \n");
    assertTrue(auth.hasAdminToken());
    assertInstanceOf(Verdict.Unauthenticated.class, auth.check(Level.ADMIN, Optional.empty()));
    assertInstanceOf(Verdict.Unauthenticated.class, auth.check(Level.ADMIN, bearer("wrong")));
    Verdict forbidden = auth.check(Level.ADMIN, bearer(KEY_A));
    assertInstanceOf(Verdict.Forbidden.class, forbidden);
    assertFalse(((Verdict.Forbidden) forbidden).reason().contains(KEY_A), "never echoes the key");
    assertEquals(new Verdict.Allowed("admin"), auth.check(Level.ADMIN, bearer(ADMIN)));
  }

  @Test
  void withoutAnAdminTokenAdminLevelAsksWhatInferenceAsks() throws IOException {
    assertEquals(new Verdict.Allowed("anonymous"), BearerAuth.OPEN.check(Level.ADMIN, Optional.empty()));
    BearerAuth keysOnly = auth("team-a:" + KEY_A + "\n", null);
    assertFalse(keysOnly.hasAdminToken());
    assertInstanceOf(Verdict.Unauthenticated.class, keysOnly.check(Level.ADMIN, Optional.empty()));
    assertEquals(new Verdict.Allowed("team-a"), keysOnly.check(Level.ADMIN, bearer(KEY_A)));
    BearerAuth tokenOnly = auth(null, ADMIN);
    assertEquals(new Verdict.Allowed("anonymous"), tokenOnly.check(Level.CLIENT, Optional.empty()),
        "no API keys: inference stays open");
    assertInstanceOf(Verdict.Unauthenticated.class, tokenOnly.check(Level.ADMIN, Optional.empty()));
  }

  @Test
  void unusableSecretFilesStopTheStartWithoutShowingASecret() throws IOException {
    InvalidSetting empty = assertThrows(InvalidSetting.class, () -> auth("# nothing\n\n", null));
    assertEquals("rigserve.security.api-keys-file", empty.key());
    InvalidSetting noKey = assertThrows(InvalidSetting.class, () -> auth("team-a:\n", null));
    assertTrue(noKey.getMessage().contains("line 1"), noKey.getMessage());
    InvalidSetting twice = assertThrows(InvalidSetting.class, () -> auth("a:" + KEY_A + "\na:" + KEY_UNNAMED + "\n", null));
    assertFalse(twice.getMessage().contains(KEY_A) || twice.getMessage().contains(KEY_UNNAMED), twice.getMessage());
    InvalidSetting blankToken = assertThrows(InvalidSetting.class, () -> auth(null, " \n"));
    assertEquals("rigserve.security.admin-token-file", blankToken.key());
  }

  @Test
  void theInsecureSwitchTakesOneAsWrittenInTheEnvironment() {
    for (String on : List.of("1", "on", "true", "yes")) {
      assertTrue(SecuritySettings.from(ConfigFactory.parseString("rigserve.security.insecure = \"" + on + "\"")
          .withFallback(ConfigFactory.load())).insecure(), on);
    }
    for (String off : List.of("0", "off", "false", "")) {
      assertFalse(SecuritySettings.from(ConfigFactory.parseString("rigserve.security.insecure = \"" + off + "\"")
          .withFallback(ConfigFactory.load())).insecure(), off);
    }
    assertThrows(InvalidSetting.class, () -> SecuritySettings.from(
        ConfigFactory.parseString("rigserve.security.insecure = maybe").withFallback(ConfigFactory.load())));
  }
}
