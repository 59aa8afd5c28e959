package io.rigserve.cluster.security;

import io.rigserve.cluster.settings.InvalidSetting;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mutual TLS between rigs outside Artery (the data plane), from the PEM files of the rig's TLS
 * folder: a rig presents {@code rig.pem} and accepts only peers whose certificate {@code ca.pem}
 * issued. The files are read again once {@code reloadInterval} has passed, so new connections use
 * a rotated certificate without a restart; files that cannot be read (a rotation half done) leave
 * the material read before in use. The JDK reads X.509 PEM and PKCS#8 keys itself, so no PEM
 * library is needed.
 */
public final class RigTls {

  /** Pinned for Artery and the data plane alike. */
  public static final String PROTOCOL = "TLSv1.3";
  public static final List<String> CIPHER_SUITES = List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256");

  private static final Logger log = LoggerFactory.getLogger(RigTls.class);
  private static final char[] IN_MEMORY = "rigserve".toCharArray();

  private final Path dir;
  private final long reloadNanos;
  private volatile Loaded loaded;

  private record Loaded(SSLContext context, long readAtNanos) {}

  private RigTls(Path dir, Duration reloadInterval, SSLContext first) {
    this.dir = dir;
    this.reloadNanos = reloadInterval.toNanos();
    this.loaded = new Loaded(first, System.nanoTime());
  }

  /** The rig's TLS when {@code tlsDir} is set; stops the start if its files are not usable. */
  public static Optional<RigTls> of(SecuritySettings settings) {
    return settings.tlsDir().map(dir -> load(dir, settings.tlsReloadInterval()));
  }

  public static RigTls load(Path dir, Duration reloadInterval) {
    try {
      return new RigTls(dir, reloadInterval, read(dir));
    } catch (InvalidTlsMaterial e) {
      throw new InvalidSetting("rigserve.security.tls-dir", dir,
          "a folder with ca.pem, rig.pem and rig.key as deploy/certs.sh writes them (" + e.getMessage() + ")");
    }
  }

  /** An engine for an accepted connection: it demands a client certificate from the CA. */
  public SSLEngine serverEngine() {
    SSLEngine engine = context().createSSLEngine();
    engine.setUseClientMode(false);
    SSLParameters p = pinned(engine);
    p.setNeedClientAuth(true);
    engine.setSSLParameters(p);
    return engine;
  }

  /** An engine for a connection to {@code host}: the server's certificate must name that host. */
  public SSLEngine clientEngine(String host, int port) {
    SSLEngine engine = context().createSSLEngine(host, port);
    engine.setUseClientMode(true);
    SSLParameters p = pinned(engine);
    p.setEndpointIdentificationAlgorithm("HTTPS");
    engine.setSSLParameters(p);
    return engine;
  }

  private static SSLParameters pinned(SSLEngine engine) {
    SSLParameters p = engine.getSSLParameters();
    p.setProtocols(new String[] {PROTOCOL});
    p.setCipherSuites(CIPHER_SUITES.toArray(String[]::new));
    return p;
  }

  /** The current context: the files as read at most {@code reloadInterval} ago. */
  public SSLContext context() {
    Loaded current = loaded;
    long now = System.nanoTime();
    if (now - current.readAtNanos() < reloadNanos) {
      return current.context();
    }
    try {
      loaded = new Loaded(read(dir), now);
    } catch (InvalidTlsMaterial e) {
      log.warn("TLS material in {} could not be read again, still using what was read before: {}", dir, e.getMessage());
      loaded = new Loaded(current.context(), now);
    }
    return loaded.context();
  }

  /** Reads and checks the three files and builds a context that trusts only the CA. */
  static SSLContext read(Path dir) {
    X509Certificate ca = certificates(dir.resolve(SecuritySettings.CA_FILE)).get(0);
    List<X509Certificate> chain = certificates(dir.resolve(SecuritySettings.CERT_FILE));
    PrivateKey key = privateKey(dir.resolve(SecuritySettings.KEY_FILE));
    X509Certificate rig = chain.get(0);
    try {
      rig.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new InvalidTlsMaterial(SecuritySettings.CERT_FILE + " is not issued by " + SecuritySettings.CA_FILE);
    }
    try {
      rig.checkValidity();
    } catch (GeneralSecurityException e) {
      throw new InvalidTlsMaterial(SecuritySettings.CERT_FILE + " is not valid now (valid from "
          + rig.getNotBefore().toInstant() + " to " + rig.getNotAfter().toInstant() + ")");
    }
    if (!(rig.getPublicKey() instanceof RSAPublicKey pub) || !(key instanceof RSAPrivateKey priv)
        || !pub.getModulus().equals(priv.getModulus())) {
      throw new InvalidTlsMaterial(SecuritySettings.KEY_FILE + " is not the RSA key of " + SecuritySettings.CERT_FILE);
    }
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      List<Certificate> presented = new ArrayList<>(chain);
      if (chain.size() == 1) presented.add(ca);
      keys.setKeyEntry("rig", key, IN_MEMORY, presented.toArray(Certificate[]::new));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, IN_MEMORY);

      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      trusted.setCertificateEntry("ca", ca);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trusted);

      SSLContext context = SSLContext.getInstance(PROTOCOL);
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new InvalidTlsMaterial("cannot build a TLS context: " + e.getMessage());
    }
  }

  /** The first certificate of a PEM file (a rig's own, in {@code rig.pem}); stops the start when unreadable. */
  public static X509Certificate certificate(Path file) {
    try {
      return certificates(file).get(0);
    } catch (InvalidTlsMaterial e) {
      throw new InvalidSetting("rigserve.security.tls-dir", file.getParent(), e.getMessage());
    }
  }

  private static List<X509Certificate> certificates(Path file) {
    try {
      return PemFiles.certificates(file);
    } catch (IOException | GeneralSecurityException e) {
      throw new InvalidTlsMaterial("cannot read " + file.getFileName() + ": " + e.getMessage());
    }
  }

  private static PrivateKey privateKey(Path file) {
    try {
      return PemFiles.privateKey(file);
    } catch (IOException | GeneralSecurityException e) {
      throw new InvalidTlsMaterial("cannot read " + file.getFileName() + ": " + e.getMessage());
    }
  }

  /** A TLS file that is missing, unreadable or does not fit the others. */
  static final class InvalidTlsMaterial extends RuntimeException {
    InvalidTlsMaterial(String message) {
      super(message);
    }
  }
}
