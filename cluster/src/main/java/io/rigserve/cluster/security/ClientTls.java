package io.rigserve.cluster.security;

import io.rigserve.cluster.settings.InvalidSetting;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;

/**
 * The TLS identity a rig shows API clients on its REST and gRPC ports, from {@code
 * rigserve.security.client-tls-dir}: {@code rig.pem} (the certificate, then any intermediates)
 * and {@code rig.key} (its PKCS#8 PEM private key, RSA or EC). Clients are not asked for
 * certificates; they authenticate with API keys.
 *
 * <p>Built with the JDK alone ({@link CertificateFactory} reads PEM certificates; the key is
 * base64 between the PEM markers), so no provider library is needed for this.
 */
public final class ClientTls {

  private static final String SETTING = "rigserve.security.client-tls-dir";
  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
  private static final char[] NO_PASSWORD = new char[0];

  private ClientTls() {}

  /** The server side of HTTPS (HTTP/1.1 for REST, HTTP/2 negotiated by ALPN for gRPC). */
  public static HttpsConnectionContext httpsServer(Path dir) {
    return ConnectionContext.httpsServer(sslContext(dir));
  }

  public static SSLContext sslContext(Path dir) {
    Path certFile = dir.resolve(SecuritySettings.CERT_FILE);
    Path keyFile = dir.resolve(SecuritySettings.KEY_FILE);
    try {
      Certificate[] chain = certificates(certFile);
      PrivateKey key = privateKey(keyFile);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("rig", key, NO_PASSWORD, chain);
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, NO_PASSWORD);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new InvalidSetting(SETTING, dir,
          "a folder with rig.pem (PEM certificate) and rig.key (PKCS#8 PEM private key): " + e.getMessage());
    }
  }

  private static Certificate[] certificates(Path file) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) throw new GeneralSecurityException(file.getFileName() + " holds no certificate");
      return certs.toArray(Certificate[]::new);
    }
  }

  private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    Matcher pem = PKCS8.matcher(Files.readString(file, StandardCharsets.US_ASCII));
    if (!pem.find()) {
      throw new GeneralSecurityException(file.getFileName()
          + " is not a PKCS#8 PEM key (\"BEGIN PRIVATE KEY\"; convert with openssl pkcs8 -topk8 -nocrypt)");
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(pem.group(1)));
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (InvalidKeySpecException notThisOne) {
        // try the next algorithm
      }
    }
    throw new GeneralSecurityException(file.getFileName() + " holds a key that is neither RSA, EC nor Ed25519");
  }
}
