package io.rigserve.serving.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Option;

/**
 * The rig a command talks to: its management endpoint, its REST endpoint and the admin token,
 * mixed into every subcommand. Any answer other than 2xx becomes a {@link CommandFailure} with
 * the server's {@code {"error"}} text.
 */
final class RigEndpoint {

  static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--url", defaultValue = "http://127.0.0.1:7626", paramLabel = "URL",
      description = "Management endpoint of a rig (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--rest-url", defaultValue = "http://127.0.0.1:8000", paramLabel = "URL",
      description = "REST endpoint of a rig, for repository calls (default: ${DEFAULT-VALUE}).")
  String restUrl;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "File holding the admin token (default: $RIGSERVE_ADMIN_TOKEN, else the file named by $RIGSERVE_ADMIN_TOKEN_FILE).")
  Path tokenFile;

  @Option(names = "--ca-file", paramLabel = "PEM",
      description = "CA certificates (PEM) to trust for https endpoints, instead of the JVM's.")
  Path caFile;

  @Option(names = "--json", description = "Print the server's JSON instead of tables.")
  boolean json;

  @Option(names = "--timeout", defaultValue = "PT2M", paramLabel = "DURATION",
      description = "Longest wait for one answer, ISO-8601 (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  private HttpClient client;

  /** An HTTP answer with a 2xx status. */
  record Answer(int status, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new CommandFailure("the rig answered " + status + " with something that is not JSON: " + cut(body));
      }
    }
  }

  Answer getManagement(String path) {
    return send(HttpRequest.newBuilder(uri(url, path)).GET());
  }

  /** GET that also returns a 404 to the caller, for endpoints a rig may not have. */
  HttpResponse<String> getManagementRaw(String path) {
    return exchange(HttpRequest.newBuilder(uri(url, path)).GET());
  }

  /** POST without a body, returning any status to the caller. */
  HttpResponse<String> postManagementRaw(String path) {
    return exchange(HttpRequest.newBuilder(uri(url, path)).POST(HttpRequest.BodyPublishers.noBody()));
  }

  Answer putManagementForm(String path, Map<String, String> form) {
    StringBuilder body = new StringBuilder();
    form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&").append(encode(k)).append('=').append(encode(v)));
    return send(HttpRequest.newBuilder(uri(url, path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .PUT(HttpRequest.BodyPublishers.ofString(body.toString())));
  }

  Answer postRest(String path, String json) {
    return send(HttpRequest.newBuilder(uri(restUrl, path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** Streams the file: the CLI never holds a model in memory. */
  Answer putRestFile(String path, Path file) {
    try {
      return send(HttpRequest.newBuilder(uri(restUrl, path))
          .header("Content-Type", "application/octet-stream")
          .PUT(HttpRequest.BodyPublishers.ofFile(file)));
    } catch (FileNotFoundException e) {
      throw new CommandFailure("cannot read " + file + ": no such file");
    }
  }

  /** A path segment, percent-encoded (a cluster address holds ':', '/' and '@'). */
  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The server's {@code error} text, or a short form of the body when it is not JSON. */
  static String errorOf(HttpResponse<String> response) {
    String body = response.body() == null ? "" : response.body();
    return jsonError(response).orElse(body.isBlank() ? "HTTP " + response.statusCode() : cut(body.strip()));
  }

  /** The {@code error} field of a JSON answer; empty for Pekko's own plain-text rejections (an unknown path). */
  static Optional<String> jsonError(HttpResponse<String> response) {
    try {
      JsonNode error = JSON.readTree(response.body() == null ? "" : response.body()).get("error");
      return error != null && error.isTextual() ? Optional.of(error.asText()) : Optional.empty();
    } catch (IOException | RuntimeException notJson) {
      return Optional.empty();
    }
  }

  private Answer send(HttpRequest.Builder request) {
    HttpResponse<String> response = exchange(request);
    int status = response.statusCode();
    if (status / 100 != 2) {
      throw new CommandFailure(status + " from " + response.uri() + ": " + errorOf(response));
    }
    return new Answer(status, response.body());
  }

  private HttpResponse<String> exchange(HttpRequest.Builder request) {
    token().ifPresent(t -> request.header("Authorization", "Bearer " + t));
    HttpRequest built = request.timeout(timeout).build();
    try {
      return client().send(built, HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new CommandFailure("cannot connect to " + built.uri() + " (is the rig running? see --url and --rest-url)", e);
    } catch (HttpTimeoutException e) {
      throw new CommandFailure("no answer from " + built.uri() + " within " + timeout, e);
    } catch (IOException e) {
      throw new CommandFailure("calling " + built.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandFailure("interrupted", e);
    }
  }

  private Optional<String> token() {
    if (tokenFile != null) return Optional.of(read(tokenFile));
    String token = System.getenv("RIGSERVE_ADMIN_TOKEN");
    if (token != null && !token.isBlank()) return Optional.of(token.strip());
    String file = System.getenv("RIGSERVE_ADMIN_TOKEN_FILE");
    if (file != null && !file.isBlank()) return Optional.of(read(Path.of(file)));
    return Optional.empty();
  }

  private static String read(Path file) {
    try {
      String token = Files.readString(file).strip();
      if (token.isEmpty()) throw new CommandFailure("the admin token file " + file + " is empty");
      return token;
    } catch (IOException e) {
      throw new CommandFailure("cannot read the admin token file " + file + ": " + e.getMessage(), e);
    }
  }

  private HttpClient client() {
    if (client == null) {
      HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
      if (caFile != null) b.sslContext(trusting(caFile));
      client = b.build();
    }
    return client;
  }

  private static SSLContext trusting(Path pem) {
    try (InputStream in = Files.newInputStream(pem)) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) throw new CommandFailure("no certificate in " + pem);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new CommandFailure("cannot use " + pem + " as CA certificates: " + e.getMessage(), e);
    }
  }

  private static URI uri(String base, String path) {
    try {
      return URI.create(base.replaceAll("/+$", "") + path);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure("not a URL: " + base + path);
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String cut(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }
}
