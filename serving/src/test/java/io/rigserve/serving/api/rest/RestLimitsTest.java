package io.rigserve.serving.api.rest;

import static io.rigserve.serving.api.rest.RestAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import io.rigserve.serving.TestRig.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Hostile bytes on the REST, management and data plane ports: every refusal is a 4xx with a JSON error. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestLimitsTest {

  /** Above Pekko's own 8 MiB toStrict default, so the configured limit is the one that holds. */
  private static final int MAX_REQUEST = 12 << 20;
  private static final String GOOD = "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"INT32\",\"data\":[1,2]}]}";

  private TestRig rig;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void startRig() throws Exception {
    Path repository = Files.createTempDirectory("rigserve-rest-limits");
    ServedModels.writeRepository(repository);
    rig = TestRig.start(repository, String.join("\n",
        "rigserve.serving.max-request-size = " + MAX_REQUEST,
        "rigserve.serving.body-timeout = 1s",
        "rigserve.serving.idle-timeout = 3s"));
  }

  @AfterAll
  void stopRig() throws Exception {
    rig.close();
  }

  @Test
  void aBodyLargerThanEightMebibytesButWithinTheConfiguredLimitIsServed() throws Exception {
    String padded = GOOD.substring(0, GOOD.length() - 1) + " ".repeat(10 << 20) + "}";
    Reply reply = rig.post("/v2/models/cast/infer", padded);
    assertEquals(200, reply.status(), reply.body());
    assertEquals("[1.0,2.0]", RestApiTest.output(reply.json(), "doubles").get("data").toString());
  }

  @Test
  void aBodyDeclaredOverTheLimitGets413WithAJsonErrorBeforeItIsSent() throws Exception {
    try (RawHttp raw = new RawHttp(rig.rig.httpPort())) {
      RawHttp.Answer answer = raw.send("POST /v2/models/cast/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + (MAX_REQUEST + 1) + "\r\n\r\n{\"inputs\":").read(10_000);
      assertEquals(413, answer.status(), answer.text());
      assertTrue(TestRig.JSON.readTree(answer.body()).get("error").asText().contains("too large"), answer.text());
    }
    assertServes();
  }

  @Test
  void aChunkedBodyOverTheLimitGets413() throws Exception {
    byte[] chunk = ("100000\r\n" + " ".repeat(0x100000) + "\r\n").getBytes();
    try (RawHttp raw = new RawHttp(rig.rig.httpPort())) {
      raw.send("POST /v2/models/cast/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n");
      try {
        for (int i = 0; i < 13; i++) raw.send(chunk);
        raw.send("0\r\n\r\n");
      } catch (IOException closedEarly) {
        // the rig may answer and close before the last chunk
      }
      RawHttp.Answer answer = raw.read(10_000);
      assertEquals(413, answer.status(), answer.text());
    }
    assertServes();
  }

  @Test
  void declaredShapesAllocateNothingBeforeTheirDataArrives() throws Exception {
    // Each declares 12 million FP64 elements (96 MB) and sends one: forty at once would need 3.8 GB.
    String tiny = "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,12000000],\"datatype\":\"FP64\",\"data\":[1]}]}";
    List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      replies.add(http.sendAsync(HttpRequest.newBuilder(URI.create(rig.baseUrl() + "/v2/models/cast/infer"))
          .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(tiny)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> r : replies) {
      HttpResponse<String> reply = r.get(30, TimeUnit.SECONDS);
      assertError(400, "its shape needs 12000000", new Reply(reply.statusCode(), reply.body()));
    }
    assertServes();
  }

  @Test
  void nestedDataMustMatchTheShapeExactly() throws Exception {
    assertError(400, "does not match its shape", rig.post("/v2/models/cast/infer",
        "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"INT32\",\"data\":[[1],[2]]}]}"));
    assertError(400, "does not match its shape", rig.post("/v2/models/cast/infer",
        "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"INT32\",\"data\":[[1,[2]]]}]}"));
    assertError(400, "mixes flat and nested", rig.post("/v2/models/cast/infer",
        "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"INT32\",\"data\":[1,[2]]}]}"));
    Reply nested = rig.post("/v2/models/cast/infer",
        "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"INT32\",\"data\":[[1,2]]}]}");
    assertEquals(200, nested.status(), nested.body());
  }

  @Test
  void jsonIsStrictNoTrailingDataAndNoKeyTwice() throws Exception {
    assertError(400, "malformed JSON", rig.post("/v2/models/cast/infer", GOOD + "garbage"));
    assertError(400, "malformed JSON", rig.post("/v2/models/cast/infer", GOOD + "{}"));
    assertError(400, "Duplicate field", rig.post("/v2/models/cast/infer",
        "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"shape\":[1,2],\"datatype\":\"INT32\",\"data\":[1,2]}]}"));
    // An overlong UTF-8 form of '/' (C0 AF) in a key: Jackson alone would read it as "/id".
    String overlong = "{\"\u00c0\u00afid\":\"x\"," + GOOD.substring(1);
    try (RawHttp raw = new RawHttp(rig.rig.httpPort())) {
      RawHttp.Answer answer = raw.send("POST /v2/models/cast/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + overlong.length() + "\r\n\r\n" + overlong).read(10_000);
      assertEquals(400, answer.status(), answer.text());
      assertTrue(answer.body().contains("not UTF-8"), answer.text());
    }
    // NUL bytes after '{' look like UTF-32 to Jackson's encoding guess; the body is UTF-8 text.
    assertError(400, "malformed JSON", rig.post("/v2/models/cast/infer", "{\u0000\u0000\u0000\u0000\u0000}"));
    assertServes();
  }

  @Test
  void aMalformedChunkedBodyIs400() throws Exception {
    try (RawHttp raw = new RawHttp(rig.rig.httpPort())) {
      RawHttp.Answer answer = raw.send("POST /v2/models/cast/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\nZZ\r\nhello\r\n0\r\n\r\n").read(10_000);
      assertEquals(400, answer.status(), answer.text());
      assertTrue(answer.body().contains("\"error\""), answer.text());
    }
    assertServes();
  }

  @Test
  void aBodyThatStopsArrivingIs408WithinTheBodyTimeout() throws Exception {
    try (RawHttp raw = new RawHttp(rig.rig.httpPort())) {
      RawHttp.Answer answer = raw.send("POST /v2/models/cast/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: 1000\r\n\r\n{\"inputs\":").read(10_000);
      assertEquals(408, answer.status(), answer.text());
      assertTrue(answer.millis() < 3_000, "answered after " + answer.millis() + " ms");
      assertTrue(answer.body().contains("did not arrive in time"), answer.text());
    }
    assertServes();
  }

  @Test
  void aConnectionWithHalfSentHeadersIsClosedWithinTheIdleTimeout() throws Exception {
    try (RawHttp raw = new RawHttp(rig.rig.httpPort())) {
      RawHttp.Answer answer = raw.send("POST /v2/models/cast/infer HTTP/1.1\r\nHost: x\r\nX-Slow: ").read(10_000);
      assertTrue(answer.closed(), "still open after " + answer.millis() + " ms: " + answer.text());
      assertTrue(answer.millis() < 6_000, "closed after " + answer.millis() + " ms");
    }
  }

  @Test
  void aRequestLineWithoutPathOrVersionIsEndedWithinTheIdleTimeout() throws Exception {
    // Pekko's parser waits for a longer method name; the idle timeout bounds the wait.
    try (RawHttp raw = new RawHttp(rig.rig.httpPort())) {
      RawHttp.Answer answer = raw.send("POST\r\n\r\n").read(10_000);
      assertTrue(answer.closed(), "still open after " + answer.millis() + " ms: " + answer.text());
      assertTrue(answer.millis() < 6_000, "closed after " + answer.millis() + " ms");
      if (!answer.text().isEmpty()) {
        assertEquals(400, answer.status(), answer.text());
        assertTrue(answer.body().contains("\"error\""), answer.text());
      }
    }
    try (RawHttp raw = new RawHttp(rig.rig.httpPort())) {
      RawHttp.Answer answer = raw.send("POST\r\n\r\nPOST\r\n\r\nPOST\r\n\r\n").read(10_000);
      assertEquals(400, answer.status(), answer.text());
      assertTrue(answer.body().contains("\"error\""), answer.text());
    }
  }

  @Test
  void aHeaderOverEightKibibytesIsAnswered431WithAJsonError() throws Exception {
    try (RawHttp raw = new RawHttp(rig.rig.httpPort())) {
      RawHttp.Answer answer = raw.send("GET /v2/health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n")
          .read(10_000);
      assertEquals(431, answer.status(), answer.text());
      assertTrue(answer.body().contains("\"error\""), answer.text());
    }
    assertServes();
  }

  @Test
  void anUnknownMethodOrARequestLineWithoutAVersionIs400NotA5xx() throws Exception {
    for (String request : new String[] {
        "FOO /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n",
        "get /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v2/health/live x HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v2\r\nHost: x\r\n\r\n"}) {
      try (RawHttp raw = new RawHttp(rig.rig.httpPort())) {
        RawHttp.Answer answer = raw.send(request).read(10_000);
        assertEquals(400, answer.status(), request + " got " + answer.text());
        assertTrue(answer.body().contains("\"error\""), answer.text());
      }
    }
    assertServes();
  }

  @Test
  void echoedClientStringsAreCutShort() throws Exception {
    String name = "n".repeat(100_000);
    Reply reply = rig.post("/v2/models/cast/infer",
        "{\"inputs\":[{\"name\":\"" + name + "\",\"shape\":[1],\"datatype\":\"INT32\",\"data\":[1]}]}");
    assertEquals(400, reply.status(), reply.body().substring(0, Math.min(300, reply.body().length())));
    assertTrue(reply.error().length() < 1100, "error of " + reply.error().length() + " characters");
    assertTrue(reply.error().contains("n".repeat(128) + "…"), reply.error());
  }

  @Test
  void pekkosOwnRefusalsAreJsonOnEveryPort() throws Exception {
    assertError(405, "HTTP method not allowed", rig.get("/v2/models/cast/infer"));
    assertError(404, "could not be found", rig.get("/nothing-here"));
    assertError(404, "could not be found", rig.getManagement("/nothing-here"));
    Reply dataPlane = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rig.rig.rigSettings().dataPlanePort()
        + "/artifacts/nothing/1/0")).GET());
    assertError(404, "no artifact", dataPlane);
    Reply dataPlaneRoute = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rig.rig.rigSettings().dataPlanePort()
        + "/elsewhere")).GET());
    assertError(404, "the data plane serves only GET /artifacts/", dataPlaneRoute);
    Reply grpcPort = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rig.rig.grpcPort() + "/v2")).GET());
    assertError(404, "gRPC port", grpcPort);
  }

  private Reply send(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body());
  }

  private void assertServes() throws Exception {
    Reply after = rig.post("/v2/models/cast/infer", GOOD);
    assertEquals(200, after.status(), after.body());
  }
}
