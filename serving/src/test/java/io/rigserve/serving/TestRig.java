package io.rigserve.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import io.rigserve.sharding.replica.PartitionRuntimes;
import javax.net.ssl.SSLContext;

/**
 * A real rig on loopback (free ports, a temporary repository) and a real HTTP client for it.
 * The test configuration turns on {@code serialize-messages}, so every internal message is
 * proven to survive the project's Kryo serializer.
 *
 * <p>By default requests carry no credentials and use plain HTTP; {@link #withBearer} gives a
 * client of the same rig that sends {@code Authorization: Bearer <token>}, and {@link #startTls}
 * a rig reached over HTTPS.
 */
public final class TestRig implements AutoCloseable {

  public static final ObjectMapper JSON = new ObjectMapper();

  public final Rig rig;
  private final HttpClient http;
  private final String scheme;
  private final Optional<String> bearer;

  private TestRig(Rig rig, HttpClient http, String scheme, Optional<String> bearer) {
    this.rig = rig;
    this.http = http;
    this.scheme = scheme;
    this.bearer = bearer;
  }

  /** Starts a rig over {@code repository}; {@code extraConfig} is HOCON that overrides the defaults. */
  public static TestRig start(Path repository, String extraConfig) throws Exception {
    return start(repository, extraConfig, Optional.empty());
  }

  /** Starts a rig whose replicas run what {@code runtimes} makes of its own (faulty hardware, say). */
  public static TestRig start(Path repository, String extraConfig, UnaryOperator<PartitionRuntimes> runtimes) throws Exception {
    return start(repository, extraConfig, Optional.empty(), runtimes);
  }

  /** Starts a rig whose REST port speaks HTTPS; the client trusts what {@code trust} trusts. */
  public static TestRig startTls(Path repository, String extraConfig, SSLContext trust) throws Exception {
    return start(repository, extraConfig, Optional.of(trust));
  }

  private static TestRig start(Path repository, String extraConfig, Optional<SSLContext> trust) throws Exception {
    return start(repository, extraConfig, trust, UnaryOperator.identity());
  }

  private static TestRig start(Path repository, String extraConfig, Optional<SSLContext> trust,
      UnaryOperator<PartitionRuntimes> runtimes) throws Exception {
    var config = ConfigFactory.parseString(extraConfig)
        .withFallback(ConfigFactory.parseString("rigserve.repository.path = \"" + repository.toString().replace("\\", "/") + "\"\n"
            + "rigserve.node.data-plane-port = " + freePort()))
        .withFallback(ConfigFactory.load());
    HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    trust.ifPresent(client::sslContext);
    TestRig rig = new TestRig(Rig.start(config, 1, Optional.empty(), runtimes).toCompletableFuture().get(60, TimeUnit.SECONDS), client.build(),
        trust.isPresent() ? "https" : "http", Optional.empty());
    rig.awaitReady(Duration.ofSeconds(60));
    return rig;
  }

  /** A client of the same rig that sends {@code Authorization: Bearer <token>} on every request. */
  public TestRig withBearer(String token) {
    return new TestRig(rig, http, scheme, Optional.of(token));
  }

  /** Waits until the rig says it is ready: joined, and the models of its repository deployed and loaded. */
  public void awaitReady(Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      if (get("/v2/health/ready").status() == 200) return;
      Thread.sleep(100);
    }
    throw new AssertionError("the rig did not become ready within " + max + ": " + post("/v2/repository/index", "{}").body());
  }

  /** A port free now, for settings that other rigs must know before the rig binds it. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  public String baseUrl() {
    return scheme + "://127.0.0.1:" + rig.httpPort();
  }

  public Reply get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET());
  }

  /** GET on the management port (readiness, cluster and admin routes). */
  public Reply getManagement(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rig.managementPort() + path)).GET());
  }

  public Reply post(String path, String json) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  public Reply postBytes(String path, byte[] body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  public Reply put(String path, byte[] body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  /** PUT on the management port (Pekko Management's member operations take a form body). */
  /** POST on the management port (admin writes such as releasing a quarantined rig). */
  public Reply postManagement(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rig.managementPort() + path))
        .POST(HttpRequest.BodyPublishers.noBody()));
  }

  public Reply putManagement(String path, String form) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rig.managementPort() + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .PUT(HttpRequest.BodyPublishers.ofString(form)));
  }

  private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
    bearer.ifPresent(token -> request.header("Authorization", "Bearer " + token));
    HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), response.body(), response.headers().firstValue("WWW-Authenticate"));
  }

  /** An HTTP answer: status, body and the authentication challenge if any. */
  public record Reply(int status, String body, Optional<String> challenge) {
    public Reply(int status, String body) {
      this(status, body, Optional.empty());
    }

    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (status " + status + "): " + body, e);
      }
    }

    public String error() {
      JsonNode error = json().get("error");
      if (error == null) throw new AssertionError("no \"error\" in " + body);
      return error.asText();
    }
  }

  /** Stops the rig (also when called on a {@link #withBearer} client of it). */
  @Override
  public void close() throws Exception {
    rig.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
