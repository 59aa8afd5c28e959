package io.rigserve.serving.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.proto.inference.GRPCInferenceServiceClient;
import io.rigserve.proto.inference.InferTensorContents;
import io.rigserve.proto.inference.ModelInferRequest;
import io.rigserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.rigserve.proto.inference.ModelInferResponse;
import io.rigserve.proto.inference.ServerReadyRequest;
import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A rig with client TLS answers real HTTPS and real gRPC-over-TLS calls, with a certificate openssl made just now. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientTlsTest {

  private static final String CAST_INPUT =
      "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"INT32\",\"data\":[5,6]}]}";

  private TestRig rig;
  private X509TrustManager trust;
  private SSLContext trustContext;

  @BeforeAll
  void start() throws Exception {
    Path tls = Files.createTempDirectory("rigserve-client-tls");
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", tls.resolve("rig.key").toString(), "-out", tls.resolve("rig.pem").toString(), "-days", "2",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
        .redirectErrorStream(true).start();
    String output = new String(openssl.getInputStream().readAllBytes());
    assertTrue(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0, output);
    assertTrue(Files.readString(tls.resolve("rig.key")).contains("BEGIN PRIVATE KEY"), "openssl wrote PKCS#8");

    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    try (InputStream in = Files.newInputStream(tls.resolve("rig.pem"))) {
      trusted.setCertificateEntry("rig", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trusted);
    trust = (X509TrustManager) factory.getTrustManagers()[0];
    trustContext = SSLContext.getInstance("TLS");
    trustContext.init(null, new TrustManager[] {trust}, null);

    Path repository = Files.createTempDirectory("rigserve-tls-repo");
    ServedModels.writeRepository(repository);
    rig = TestRig.startTls(repository,
        "rigserve.security.client-tls-dir = \"" + tls.toString().replace("\\", "/") + "\"", trustContext);
  }

  @AfterAll
  void stop() throws Exception {
    rig.close();
  }

  @Test
  void restAnswersOverHttpsAndNotOverPlainHttp() throws Exception {
    assertTrue(rig.baseUrl().startsWith("https://"));
    TestRig.Reply infer = rig.post("/v2/models/cast/infer", CAST_INPUT);
    assertEquals(200, infer.status(), infer.body());
    assertEquals("[5.0,6.0]", infer.json().get("outputs").get(0).get("data").toString());

    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest overHttp = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rig.rig.httpPort() + "/v2/health/live"))
        .timeout(Duration.ofSeconds(10)).build();
    assertThrows(IOException.class, () -> plain.send(overHttp, HttpResponse.BodyHandlers.ofString()),
        "plain HTTP gets no answer from the TLS port");
  }

  @Test
  void grpcAnswersOverTlsWithHttp2NegotiatedByAlpn() throws Exception {
    GRPCInferenceServiceClient grpc = GRPCInferenceServiceClient.create(
        GrpcClientSettings.connectToServiceAt("127.0.0.1", rig.rig.grpcPort(), rig.rig.system())
            .withTls(true).withTrustManager(trust),
        rig.rig.system());
    try {
      assertTrue(grpc.serverReady(ServerReadyRequest.getDefaultInstance()).toCompletableFuture()
          .get(30, TimeUnit.SECONDS).getReady());
      ModelInferResponse response = grpc.modelInfer(ModelInferRequest.newBuilder().setModelName("cast")
              .addInputs(InferInputTensor.newBuilder().setName("ints").setDatatype("INT32").addShape(1).addShape(2)
                  .setContents(InferTensorContents.newBuilder().addIntContents(5).addIntContents(6)))
              .build())
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(List.of(5.0, 6.0), response.getOutputs(0).getContents().getFp64ContentsList());
    } finally {
      grpc.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
