package io.rigserve.cluster.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Certificates and keys from PEM files, with the JDK alone: {@link CertificateFactory} reads PEM
 * certificates, and an unencrypted PKCS#8 key is Base64 between two marker lines, which is all
 * that {@code deploy/certs.sh} and {@code openssl pkcs8 -topk8 -nocrypt} write.
 */
final class PemFiles {

  private static final String BEGIN_KEY = "-----BEGIN PRIVATE KEY-----";
  private static final String END_KEY = "-----END PRIVATE KEY-----";

  private PemFiles() {}

  /** Every certificate in {@code file}, in order (a rig's own first, then any intermediates). */
  static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> certs = new ArrayList<>();
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        if (!(c instanceof X509Certificate x509)) throw new GeneralSecurityException(file.getFileName() + " holds a non-X.509 certificate");
        certs.add(x509);
      }
      if (certs.isEmpty()) throw new GeneralSecurityException(file.getFileName() + " holds no certificate");
      return certs;
    }
  }

  /** The RSA, EC or Ed25519 key of an unencrypted PKCS#8 PEM file. */
  static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    int from = pem.indexOf(BEGIN_KEY);
    int to = pem.indexOf(END_KEY);
    if (from < 0 || to < from) {
      throw new GeneralSecurityException(file.getFileName() + " is not an unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY);"
          + " convert one with: openssl pkcs8 -topk8 -nocrypt");
    }
    PKCS8EncodedKeySpec spec;
    try {
      spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(pem.substring(from + BEGIN_KEY.length(), to)));
    } catch (IllegalArgumentException e) {
      throw new GeneralSecurityException(file.getFileName() + " is not valid Base64: " + e.getMessage());
    }
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
