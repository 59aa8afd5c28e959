package io.rigserve.cluster.security;

import io.rigserve.cluster.settings.InvalidSetting;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;

/**
 * The TLS identity a rig shows API clients on its REST and gRPC ports, from {@code
 * rigserve.security.client-tls-dir}: {@code rig.pem} (the certificate, then any intermediates)
 * and {@code rig.key} (its PKCS#8 PEM private key, RSA or EC). Clients are not asked for
 * certificates; they authenticate with API keys. The files are read by {@link PemFiles}.
 */
public final class ClientTls {

  private static final String SETTING = "rigserve.security.client-tls-dir";
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
      Certificate[] chain = PemFiles.certificates(certFile).toArray(Certificate[]::new);
      PrivateKey key = PemFiles.privateKey(keyFile);
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
}
