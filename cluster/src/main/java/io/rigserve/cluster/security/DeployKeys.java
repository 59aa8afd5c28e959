package io.rigserve.cluster.security;

import io.rigserve.cluster.settings.InvalidSetting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operators' Ed25519 deploy keys: the private one of this rig, when it may deploy
 * ({@code rigserve.security.deploy-key-file}), signs what runs; the trusted public ones
 * ({@code rigserve.security.trusted-deploy-keys-file}) decide what this rig accepts. With no
 * trusted key, nothing is checked (a single rig, tests), as before signatures existed.
 * A key is named by its id: the first 16 hex digits of the sha256 of its SPKI encoding.
 */
public final class DeployKeys {

  /** What a signer's content is signed with: Ed25519 signs the message itself, no digest first. */
  public record Signed(String keyId, byte[] signature) {}

  private static final String ALGORITHM = "Ed25519";
  private static final String KEY_SETTING = "rigserve.security.deploy-key-file";
  private static final String TRUSTED_SETTING = "rigserve.security.trusted-deploy-keys-file";
  /** Most trusted keys a file may name: each signature is checked against one, found by id. */
  private static final int MAX_TRUSTED = 256;
  /** An Ed25519 signature is 64 bytes; a key id 16 hex digits. */
  public static final int SIGNATURE_BYTES = 64;
  public static final int KEY_ID_LENGTH = 16;
  private static final byte[] PROBE = "rigserve deploy key probe".getBytes(StandardCharsets.US_ASCII);

  private final Optional<PrivateKey> signingKey;
  /** The id of the signing key when a trusted key matches it; "untrusted" otherwise. */
  private final String signingKeyId;
  private final Map<String, PublicKey> trusted;

  private DeployKeys(Optional<PrivateKey> signingKey, List<PublicKey> trustedKeys) {
    this.signingKey = signingKey;
    Map<String, PublicKey> byId = new LinkedHashMap<>();
    for (PublicKey k : trustedKeys) byId.put(keyId(k), k);
    this.trusted = Map.copyOf(byId);
    // The JDK derives no public key from an Ed25519 private one: the trusted key that verifies a probe names it.
    this.signingKeyId = signingKey.flatMap(key -> {
      byte[] probe = sign(key, PROBE);
      return byId.entrySet().stream().filter(e -> verifies(e.getValue(), PROBE, probe)).map(Map.Entry::getKey).findFirst();
    }).orElse("untrusted");
  }

  /** The keys {@code security} names, read once at start; a file that holds no valid key stops the start. */
  public static DeployKeys from(SecuritySettings security) {
    Optional<PrivateKey> key = security.deployKeyFile().map(file -> {
      try {
        PrivateKey k = PemFiles.privateKey(file);
        if (!ALGORITHM.equalsIgnoreCase(k.getAlgorithm()) && !"EdDSA".equalsIgnoreCase(k.getAlgorithm())) {
          throw new InvalidSetting(KEY_SETTING, file, "an Ed25519 key (openssl genpkey -algorithm ed25519); it holds " + k.getAlgorithm());
        }
        return k;
      } catch (IOException | GeneralSecurityException e) {
        throw new InvalidSetting(KEY_SETTING, file, "an Ed25519 PKCS#8 PEM key: " + e.getMessage());
      }
    });
    List<PublicKey> trusted = security.trustedDeployKeysFile().map(DeployKeys::readTrusted).orElse(List.of());
    return new DeployKeys(key, trusted);
  }

  /** Keys given directly (tests and tools). */
  public static DeployKeys of(Optional<PrivateKey> signingKey, List<PublicKey> trusted) {
    return new DeployKeys(signingKey, trusted);
  }

  /** True when this rig accepts only what a trusted key signed. */
  public boolean enforced() {
    return !trusted.isEmpty();
  }

  /** {@code content} signed with this rig's deploy key, or empty when it has none. */
  public Optional<Signed> sign(byte[] content) {
    return signingKey.map(key -> new Signed(signingKeyId, sign(key, content)));
  }

  /** Why {@code signature} by {@code keyId} over {@code content} is not accepted here, or empty when it is. */
  public Optional<String> refusal(byte[] content, String keyId, byte[] signature) {
    if (!enforced()) return Optional.empty();
    if (keyId == null || keyId.isEmpty() || signature == null || signature.length == 0) return Optional.of("not signed");
    PublicKey key = trusted.get(keyId);
    if (key == null) return Optional.of("signed by key " + shown(keyId) + ", which this rig does not trust");
    if (!verifies(key, content, signature)) return Optional.of("signed by key " + keyId + ", but the signature does not match its content");
    return Optional.empty();
  }

  public static String keyId(PublicKey key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return HexFormat.of().formatHex(digest).substring(0, KEY_ID_LENGTH);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  private static String shown(String keyId) {
    return "'" + (keyId.length() > KEY_ID_LENGTH ? keyId.substring(0, KEY_ID_LENGTH) + "..." : keyId) + "'";
  }

  /** One key per line: a PEM public key's Base64, or the whole PEM block; '#' starts a comment. */
  private static List<PublicKey> readTrusted(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new InvalidSetting(TRUSTED_SETTING, file, "a readable file of Ed25519 public keys: " + e.getMessage());
    }
    List<PublicKey> keys = new ArrayList<>();
    for (String line : lines) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#") || l.startsWith("-----")) continue;
      if (keys.size() == MAX_TRUSTED) throw new InvalidSetting(TRUSTED_SETTING, file, "at most " + MAX_TRUSTED + " keys");
      try {
        keys.add(KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(l))));
      } catch (IllegalArgumentException | GeneralSecurityException e) {
        throw new InvalidSetting(TRUSTED_SETTING, file, "one Ed25519 public key (SPKI, Base64) per line; a line is not one: " + e.getMessage());
      }
    }
    if (keys.isEmpty()) throw new InvalidSetting(TRUSTED_SETTING, file, "at least one Ed25519 public key; it holds none");
    return List.copyOf(keys);
  }

  private static byte[] sign(PrivateKey key, byte[] content) {
    try {
      Signature s = Signature.getInstance(ALGORITHM);
      s.initSign(key);
      s.update(content);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with the deploy key: " + e.getMessage(), e);
    }
  }

  private static boolean verifies(PublicKey key, byte[] content, byte[] signature) {
    try {
      Signature s = Signature.getInstance(ALGORITHM);
      s.initVerify(key);
      s.update(content);
      return s.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}
