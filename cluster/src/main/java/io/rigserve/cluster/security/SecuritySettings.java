package io.rigserve.cluster.security;

import com.typesafe.config.Config;
import io.rigserve.cluster.settings.SettingsReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where a rig finds its secrets, read once at start from {@code rigserve.security}: the
 * cluster TLS material (Artery and the data plane), the TLS material offered to API clients,
 * the API keys and the admin token. An empty setting means "not configured"; a configured path
 * that does not exist stops the start with a message naming the setting.
 *
 * @param tlsReloadInterval how long TLS material read from {@code tlsDir} is used before the files
 *     are read again (rotation without a restart)
 * @param deployKeyFile the operator's Ed25519 key that signs deployments made from this rig
 * @param trustedDeployKeysFile the public keys whose signed deployments this rig accepts ({@link DeployKeys})
 */
public record SecuritySettings(
    Optional<Path> tlsDir,
    Optional<Path> clientTlsDir,
    Optional<Path> apiKeysFile,
    Optional<Path> adminTokenFile,
    boolean insecure,
    Duration tlsReloadInterval,
    Optional<Path> deployKeyFile,
    Optional<Path> trustedDeployKeysFile) {

  /** Files of a TLS folder, as {@code deploy/certs.sh} writes them. */
  public static final String CA_FILE = "ca.pem";
  public static final String CERT_FILE = "rig.pem";
  public static final String KEY_FILE = "rig.key";

  /** Settings with no deploy keys: deployments unchecked. */
  public SecuritySettings(Optional<Path> tlsDir, Optional<Path> clientTlsDir, Optional<Path> apiKeysFile,
      Optional<Path> adminTokenFile, boolean insecure, Duration tlsReloadInterval) {
    this(tlsDir, clientTlsDir, apiKeysFile, adminTokenFile, insecure, tlsReloadInterval, Optional.empty(), Optional.empty());
  }

  public static SecuritySettings from(Config config) {
    SettingsReader c = new SettingsReader(config, "rigserve.security");
    return new SecuritySettings(
        folder(c, "tls-dir"),
        folder(c, "client-tls-dir"),
        file(c, "api-keys-file"),
        file(c, "admin-token-file"),
        insecure(c),
        c.duration("tls-reload-interval"),
        file(c, "deploy-key-file"),
        file(c, "trusted-deploy-keys-file"));
  }

  /** A boolean that also takes {@code 1} and {@code 0}, as {@code RIGSERVE_INSECURE=1} is written. */
  private static boolean insecure(SettingsReader c) {
    String value = c.string("insecure").strip().toLowerCase();
    return switch (value) {
      case "1", "on", "true", "yes" -> true;
      case "0", "off", "false", "no", "" -> false;
      default -> throw c.invalid("insecure", value, "on or off (1 or 0)");
    };
  }

  /** A file of the cluster TLS folder, when TLS is on. */
  public Optional<Path> tlsFile(String name) {
    return tlsDir.map(dir -> dir.resolve(name).toAbsolutePath());
  }

  private static Optional<Path> folder(SettingsReader c, String key) {
    Optional<Path> path = path(c, key);
    if (path.isPresent() && !Files.isDirectory(path.get())) {
      throw c.invalid(key, path.get(), "an existing folder");
    }
    return path;
  }

  private static Optional<Path> file(SettingsReader c, String key) {
    Optional<Path> path = path(c, key);
    if (path.isPresent() && !Files.isRegularFile(path.get())) {
      throw c.invalid(key, path.get(), "an existing file");
    }
    return path;
  }

  private static Optional<Path> path(SettingsReader c, String key) {
    String value = c.string(key).trim();
    return value.isEmpty() ? Optional.empty() : Optional.of(Path.of(value));
  }
}
