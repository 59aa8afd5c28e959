package io.rigserve.cluster.security;

import io.rigserve.cluster.settings.InvalidSetting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The operator's token, the trimmed content of {@code rigserve.security.admin-token-file}, kept as a digest. */
final class AdminToken {

  private static final String SETTING = "rigserve.security.admin-token-file";

  private final SecretDigest digest;

  private AdminToken(SecretDigest digest) {
    this.digest = digest;
  }

  static AdminToken read(Path file) {
    String token;
    try {
      token = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + SETTING + " " + file, e);
    }
    if (token.isEmpty()) {
      throw new InvalidSetting(SETTING, file, "a file holding the admin token; it is empty");
    }
    return new AdminToken(SecretDigest.of(token));
  }

  boolean matches(SecretDigest presented) {
    return digest.matches(presented);
  }
}
