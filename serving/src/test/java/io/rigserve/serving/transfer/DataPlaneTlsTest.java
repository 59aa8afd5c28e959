package io.rigserve.serving.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.security.RigTls;
import io.rigserve.cluster.testkit.TestCertificates;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The data plane with cluster TLS, certificates made by deploy/certs.sh: real HTTPS servers and
 * clients on loopback; only rigs with a certificate of the cluster's CA get a file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataPlaneTlsTest {

  private static final Duration RELOAD = Duration.ofSeconds(1);

  private final ActorTestKit kit = ActorTestKit.create("data-plane",
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
  private final byte[] content = new byte[1024 * 1024 + 3];
  private final ArtifactId id = new ArtifactId("net", "1", 0);
  private Path cluster;
  private Path foreign;
  private ArtifactStore originStore;
  private String sha;
  private String origin;

  @BeforeAll
  void startOrigin() throws Exception {
    cluster = TestCertificates.make(Files.createTempDirectory("cluster-ca"), "origin", "member", "rotating",
        "elsewhere=rig.elsewhere.example");
    foreign = TestCertificates.make(Files.createTempDirectory("foreign-ca"), "intruder");
    new Random(11).nextBytes(content);
    originStore = new ArtifactStore(Files.createTempDirectory("origin"));
    sha = originStore.put(id, content);
    origin = serve("origin");
  }

  @AfterAll
  void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void aRigOfTheClusterCaFetchesAnArtifactOverHttps() throws Exception {
    assertTrue(origin.startsWith("https://"));
    Path fetched = fetcher(tls(cluster, "member"), Set.of(origin)).fetch(id, sha, List.of(origin))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertArrayEquals(content, Files.readAllBytes(fetched));
  }

  @Test
  void aRigWithACertificateOfAnotherCaCannotFetchAnArtifact() throws Exception {
    ArtifactStore store = new ArtifactStore(Files.createTempDirectory("intruder"));
    ExecutionException e = assertThrows(ExecutionException.class, () ->
        fetcher(store, tls(foreign, "intruder"), Set.of(origin)).fetch(id, sha, List.of(origin))
            .toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertInstanceOf(ArtifactFetcher.ArtifactUnavailable.class, e.getCause());
    assertTrue(store.valid(id, sha).isEmpty());
  }

  @Test
  void aDataPlaneWithACertificateOfAnotherCaIsNotTrusted() throws Exception {
    assertFetchFails(serve(foreign, "intruder"), "PKIX");
  }

  @Test
  void aDataPlaneWhoseCertificateDoesNotNameTheHostDialedIsNotTrusted() throws Exception {
    assertFetchFails(serve(cluster, "elsewhere"), "No subject alternative names matching IP address 127.0.0.1");
  }

  private void assertFetchFails(String server, String reason) throws Exception {
    ArtifactStore store = new ArtifactStore(Files.createTempDirectory("member"));
    ExecutionException e = assertThrows(ExecutionException.class, () ->
        fetcher(store, tls(cluster, "member"), Set.of(server)).fetch(id, sha, List.of(server))
            .toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains(reason), e.getCause().getMessage());
    assertTrue(store.valid(id, sha).isEmpty());
  }

  @Test
  void theServerRefusesAClientCertificateOfAnotherCaEvenFromAClientThatTrustsIt() throws Exception {
    assertNoHttpAnswer(clientTrustingTheClusterCa(Optional.of(foreign.resolve("intruder"))));
  }

  @Test
  void theServerRefusesAClientWithoutACertificate() throws Exception {
    assertNoHttpAnswer(clientTrustingTheClusterCa(Optional.empty()));
  }

  @Test
  void aClientOfTheClusterCaGetsAnAnswerOnTheSameRawConnection() throws Exception {
    SSLContext member = clientTrustingTheClusterCa(Optional.of(cluster.resolve("member")));
    assertTrue(httpStatusLine(member).startsWith("HTTP/1.1 200"));
  }

  @Test
  void aUrlThatIsNotTheDataPlaneOfACurrentMemberIsNeverFetchedFrom() throws Exception {
    ArtifactStore store = new ArtifactStore(Files.createTempDirectory("member"));
    ExecutionException e = assertThrows(ExecutionException.class, () ->
        fetcher(store, tls(cluster, "member"), Set.of()).fetch(id, sha, List.of(origin))
            .toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains(origin + ": not the data plane of a current member"),
        e.getCause().getMessage());
    assertTrue(store.valid(id, sha).isEmpty());
  }

  @Test
  void aRotatedCertificateIsPresentedToNewConnectionsWithoutARestart() throws Exception {
    String rotating = serve("rotating");
    int port = Integer.parseInt(rotating.substring(rotating.lastIndexOf(':') + 1));
    RigTls member = tls(cluster, "member");
    BigInteger before = serialOf(cluster.resolve("rotating/rig.pem"));
    assertEquals(before, presentedSerial(member.context(), port));

    TestCertificates.make(cluster, "rotating");
    BigInteger after = serialOf(cluster.resolve("rotating/rig.pem"));
    assertNotEquals(before, after);
    Thread.sleep(RELOAD.toMillis() + 500);

    assertEquals(after, presentedSerial(member.context(), port));
    Path fetched = fetcher(member, Set.of(rotating)).fetch(id, sha, List.of(rotating))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertArrayEquals(content, Files.readAllBytes(fetched));
  }

  /** The handshake is refused: a GET over it gets no HTTP answer, only an error or end of stream. */
  private void assertNoHttpAnswer(SSLContext client) {
    assertThrows(IOException.class, () -> httpStatusLine(client));
  }

  private String httpStatusLine(SSLContext client) throws IOException {
    int port = Integer.parseInt(origin.substring(origin.lastIndexOf(':') + 1));
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      socket.getOutputStream().write(("GET " + id.urlPath() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      byte[] line = new byte[12];
      int n = socket.getInputStream().readNBytes(line, 0, line.length);
      if (n == 0) throw new EOFException("closed without an answer");
      return new String(line, 0, n, StandardCharsets.US_ASCII);
    }
  }

  /**
   * A plain JDK client that trusts the cluster's CA (so only the server can refuse the
   * handshake), presenting the certificate in {@code certDir} if given.
   */
  private SSLContext clientTrustingTheClusterCa(Optional<Path> certDir) throws Exception {
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    try (InputStream in = Files.newInputStream(cluster.resolve("ca.pem"))) {
      trusted.setCertificateEntry("ca", x509.generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    KeyManager[] keys = null;
    if (certDir.isPresent()) {
      String pem = Files.readString(certDir.get().resolve("rig.key"));
      byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
      PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
      Certificate cert;
      try (InputStream in = Files.newInputStream(certDir.get().resolve("rig.pem"))) {
        cert = x509.generateCertificate(in);
      }
      KeyStore own = KeyStore.getInstance("PKCS12");
      own.load(null, null);
      own.setKeyEntry("rig", key, new char[0], new Certificate[] {cert});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(own, new char[0]);
      keys = kmf.getKeyManagers();
    }
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(keys, tmf.getTrustManagers(), null);
    return context;
  }

  private static BigInteger presentedSerial(SSLContext client, int port) throws IOException {
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  private static BigInteger serialOf(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in)).getSerialNumber();
    }
  }

  private String serve(String rig) throws Exception {
    return serve(cluster, rig);
  }

  private String serve(Path ca, String rig) throws Exception {
    int port = DataPlane.bind(kit.system(), "127.0.0.1", 0, originStore, Optional.of(tls(ca, rig)))
        .toCompletableFuture().get(10, TimeUnit.SECONDS).localAddress().getPort();
    return "https://127.0.0.1:" + port;
  }

  private static RigTls tls(Path ca, String rig) {
    return RigTls.load(ca.resolve(rig), RELOAD);
  }

  private ArtifactFetcher fetcher(RigTls tls, Set<String> members) throws IOException {
    return fetcher(new ArtifactStore(Files.createTempDirectory("rig")), tls, members);
  }

  private ArtifactFetcher fetcher(ArtifactStore store, RigTls tls, Set<String> members) {
    return new ArtifactFetcher(store, kit.system(), 64L << 20, Optional.of(tls), () -> members);
  }
}
