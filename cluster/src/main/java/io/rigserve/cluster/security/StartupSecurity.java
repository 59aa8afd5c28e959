package io.rigserve.cluster.security;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Secure by default: a rig that binds any address but loopback starts only with cluster TLS
 * material and an admin token, unless the insecure switch is on. A pure rule over the bind
 * addresses and the security settings, checked before anything binds.
 *
 * <p>An address counts as loopback only when it says so literally ({@code 127.x.x.x}, {@code ::1},
 * {@code localhost}); a host name is never resolved here, so any other name counts as public.
 */
public record StartupSecurity(List<String> publicBinds, List<String> missing, boolean insecureSwitch,
    boolean deploymentsUnchecked) {

  static final String MISSING_TLS =
      "cluster TLS material: rigserve.security.tls-dir (RIGSERVE_TLS_DIR), a folder with ca.pem, rig.pem "
          + "and rig.key as deploy/certs.sh makes them";
  static final String MISSING_ADMIN_TOKEN =
      "an admin token: rigserve.security.admin-token-file (RIGSERVE_ADMIN_TOKEN_FILE), a file holding the token";

  private static final Pattern IPV4_LOOPBACK = Pattern.compile("127(\\.\\d{1,3}){3}");

  public StartupSecurity {
    publicBinds = List.copyOf(publicBinds);
    missing = List.copyOf(missing);
  }

  /** The verdict for a rig binding {@code bindHosts} (Artery, REST/gRPC, management) with {@code security}. */
  public static StartupSecurity of(List<String> bindHosts, SecuritySettings security) {
    Set<String> publicBinds = new LinkedHashSet<>();
    for (String host : bindHosts) {
      if (!isLoopback(host)) publicBinds.add(host);
    }
    List<String> missing = new ArrayList<>();
    if (!publicBinds.isEmpty()) {
      if (security.tlsDir().isEmpty()) missing.add(MISSING_TLS);
      if (security.adminTokenFile().isEmpty()) missing.add(MISSING_ADMIN_TOKEN);
    }
    return new StartupSecurity(List.copyOf(publicBinds), missing, security.insecure(), security.trustedDeployKeysFile().isEmpty());
  }

  static boolean isLoopback(String host) {
    String h = host.strip().toLowerCase();
    if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
    return h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1") || IPV4_LOOPBACK.matcher(h).matches();
  }

  /** True when the rig must not start. */
  public boolean refused() {
    return !missing.isEmpty() && !insecureSwitch;
  }

  /** True when the rig starts only because the insecure switch allowed it: it says so at start and in /admin/cluster. */
  public boolean runsInsecure() {
    return !missing.isEmpty() && insecureSwitch;
  }

  /** Throws {@link UnsafeStart} naming every missing piece when the rig must not start. */
  public StartupSecurity check() {
    if (refused()) throw new UnsafeStart(refusal());
    return this;
  }

  public String refusal() {
    return "this rig binds " + String.join(", ", publicBinds) + " (not loopback), so it starts only with "
        + String.join("; and ", missing)
        + ". To run without them anyway (a private network you trust), set RIGSERVE_INSECURE=1 "
        + "(rigserve.security.insecure = on).";
  }

  public String warning() {
    return "INSECURE: this rig binds " + String.join(", ", publicBinds) + " without "
        + String.join("; and without ", missing) + ". It runs only because rigserve.security.insecure is on.";
  }

  /**
   * A warning for a rig off loopback that trusts no deploy key: any member of the cluster may then
   * deploy, alter or withdraw what it runs. Not a refusal, since a cluster may start before its keys exist.
   */
  public Optional<String> unsignedDeploymentsWarning() {
    if (publicBinds.isEmpty() || !deploymentsUnchecked) return Optional.empty();
    return Optional.of("UNSIGNED DEPLOYMENTS: this rig binds " + String.join(", ", publicBinds) + " and trusts no deploy key, "
        + "so it runs whatever any member of the cluster deploys; set rigserve.security.trusted-deploy-keys-file "
        + "(RIGSERVE_TRUSTED_DEPLOY_KEYS_FILE), see deploy/deploy-key.sh.");
  }

  /** Why a rig refused to start; the message names what to set. */
  public static final class UnsafeStart extends IllegalArgumentException {
    UnsafeStart(String message) {
      super(message);
    }
  }
}
