package io.rigserve.cluster.owner;

import com.typesafe.config.Config;
import io.rigserve.cluster.security.RigTls;
import io.rigserve.cluster.security.SecuritySettings;
import io.rigserve.cluster.settings.InvalidSetting;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.apache.pekko.cluster.Member;

/**
 * Who runs a rig: rigs of one owner are not trusted to check each other's answers. With cluster
 * TLS on it is the {@code O} of the rig's certificate (the CA vouches for it); without, the setting
 * {@code rigserve.node.owner}, and when that is empty a name of the rig's own, so that no two rigs
 * share an owner by accident. Other rigs read it from the member role {@code owner:<name>},
 * which membership gossips with the member itself.
 */
public final class RigOwner {

  /** Prefix of the member role that carries the owner. */
  public static final String ROLE_PREFIX = "owner:";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}");

  private RigOwner() {}

  /** This rig's owner, from its certificate or its settings. */
  public static String of(Config config) {
    SecuritySettings security = SecuritySettings.from(config);
    if (security.tlsDir().isPresent()) {
      X509Certificate rig = RigTls.certificate(security.tlsFile(SecuritySettings.CERT_FILE).orElseThrow());
      return fromCertificate(rig).orElseThrow(() -> new InvalidSetting("rigserve.security.tls-dir",
          security.tlsDir().get(), "a rig certificate whose subject names its owner (O=...), as deploy/certs.sh writes it"));
    }
    String set = config.getString("rigserve.node.owner").strip();
    if (set.isEmpty()) {
      int port = config.getInt("rigserve.node.port");
      String host = config.getString("rigserve.node.host").strip();
      // Port 0 is chosen only once the system starts: a random name keeps the rigs apart.
      return port == 0 ? "rig-" + UUID.randomUUID().toString().substring(0, 8) : "rig-" + host + "-" + port;
    }
    if (!NAME.matcher(set).matches()) {
      throw new InvalidSetting("rigserve.node.owner", set,
          "letters, digits, space and ._@-, starting with a letter or digit, at most 64 characters");
    }
    return set;
  }

  /** The {@code O} of the certificate's subject, when it has one. */
  public static Optional<String> fromCertificate(X509Certificate certificate) {
    try {
      LdapName subject = new LdapName(certificate.getSubjectX500Principal().getName());
      for (Rdn rdn : subject.getRdns()) {
        if (rdn.getType().equalsIgnoreCase("O")) return Optional.of(rdn.getValue().toString());
      }
      return Optional.empty();
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
  }

  /** The role that announces {@code owner}. */
  public static String role(String owner) {
    return ROLE_PREFIX + owner;
  }

  /** The owner a member announced; empty for a member that announced none. */
  public static Optional<String> of(Member member) {
    for (String role : member.getRoles()) {
      if (role.startsWith(ROLE_PREFIX)) return Optional.of(role.substring(ROLE_PREFIX.length()));
    }
    return Optional.empty();
  }
}
