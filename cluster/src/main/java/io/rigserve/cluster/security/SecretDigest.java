package io.rigserve.cluster.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of a secret, the only form in which a rig keeps API keys and the admin token.
 * Secrets are compared as digests with {@link MessageDigest#isEqual}, in constant time, so neither
 * the content nor the length of a stored secret leaks through timing.
 */
final class SecretDigest {

  private final byte[] digest;

  private SecretDigest(byte[] digest) {
    this.digest = digest;
  }

  static SecretDigest of(String secret) {
    try {
      return new SecretDigest(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  boolean matches(SecretDigest other) {
    return MessageDigest.isEqual(digest, other.digest);
  }

  /** A name that identifies the secret in logs without revealing it. */
  String shortName() {
    return HexFormat.of().formatHex(digest, 0, 4);
  }
}
