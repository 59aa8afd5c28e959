package io.rigserve.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** One call over REST/JSON with the JDK's HTTP client (keep-alive, HTTP/1.1). */
final class RestCall implements LoadLoop.Call {

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final HttpRequest request;

  private RestCall(HttpRequest request) {
    this.request = request;
  }

  static RestCall infer(String baseUrl, String model, String json) {
    return new RestCall(HttpRequest.newBuilder(URI.create(baseUrl + "/v2/models/" + model + "/infer"))
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build());
  }

  /** The transport's floor: a liveness call that does no serving work. */
  static RestCall live(String baseUrl) {
    return new RestCall(HttpRequest.newBuilder(URI.create(baseUrl + "/v2/health/live"))
        .timeout(Duration.ofSeconds(10)).GET().build());
  }

  @Override
  public void run() throws Exception {
    HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("HTTP " + response.statusCode() + ": " + new String(response.body()));
    }
  }
}
