package io.rigserve.serving.repository;

import static io.rigserve.serving.api.rest.RestAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.serving.TestRig;
import io.rigserve.serving.TestRig.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Uploads are bounded in size, in how many are received at once, and by the repository's disk quota. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UploadLimitsTest {

  private static final int MAX_UPLOAD = 4 << 20;
  private static final int MAX_DISK = 256 << 10;

  private Path repository;
  private TestRig rig;

  @BeforeAll
  void start() throws Exception {
    repository = Files.createTempDirectory("rigserve-upload-limits");
    rig = TestRig.start(repository, String.join("\n",
        "rigserve.repository.max-upload-size = " + MAX_UPLOAD,
        "rigserve.repository.max-uploads-in-flight = 1",
        "rigserve.repository.max-disk = " + MAX_DISK,
        "rigserve.serving.idle-timeout = 30s"));
  }

  @AfterAll
  void stop() throws Exception {
    rig.close();
  }

  @Test
  void anUploadDeclaredOverTheSizeLimitIs413WithAJsonError() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", rig.rig.httpPort())) {
      send(socket, "PUT /v2/repository/models/big/versions/1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
          + "Content-Length: " + (MAX_UPLOAD + 1) + "\r\n\r\n" + "x".repeat(1000));
      String answer = readAnswer(socket);
      assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
      assertTrue(answer.contains("\"error\":\"request body too large"), answer);
    }
    assertNothingStaged();
  }

  @Test
  void anUploadThatWouldPassTheDiskQuotaIs413AndLeavesNothingBehind() throws Exception {
    assertTrue(stored() < MAX_DISK / 2, "the repository already holds " + stored() + " bytes");
    assertError(413, "disk quota", rig.put("/v2/repository/models/full/versions/1", new byte[MAX_DISK + 1000]));
    assertNothingStaged();
    // Under the quota the same upload goes on to the ONNX checks.
    assertError(400, "not an ONNX model", rig.put("/v2/repository/models/full/versions/1", new byte[1000]));
  }

  @Test
  void uploadsBeyondTheNumberInFlightAre429UntilOneFinishes() throws Exception {
    try (Socket slow = new Socket("127.0.0.1", rig.rig.httpPort())) {
      send(slow, "PUT /v2/repository/models/slow/versions/1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
          + "Content-Length: 100000\r\n\r\n" + "x".repeat(100));
      awaitStaging("slow-1-");
      Reply refused = awaitStatus(429, "/v2/repository/models/other/versions/1");
      assertError(429, "uploads are being received", refused);
    }
    // The stalled upload ends with its connection; its slot is free again.
    Reply next = awaitStatus(400, "/v2/repository/models/other/versions/1");
    assertError(400, "not an ONNX model", next);
    assertNothingStaged();
  }

  /** PUTs a small non-ONNX body until the answer has {@code status} (the slow upload's state settles asynchronously). */
  private Reply awaitStatus(int status, String path) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    Reply reply;
    do {
      reply = rig.put(path, new byte[100]);
      if (reply.status() == status) return reply;
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return reply;
  }

  /** Waits until an upload whose staging folder starts with {@code prefix} is being received. */
  private void awaitStaging(String prefix) throws Exception {
    Path staging = repository.resolve(".staging");
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.exists(staging)) {
        try (Stream<Path> dirs = Files.list(staging)) {
          if (dirs.anyMatch(d -> d.getFileName().toString().startsWith(prefix))) return;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no upload " + prefix + " in progress after 10 s");
  }

  private long stored() throws IOException {
    try (Stream<Path> files = Files.walk(repository)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private void assertNothingStaged() throws Exception {
    Path staging = repository.resolve(".staging");
    long deadline = System.nanoTime() + 5_000_000_000L;
    long left;
    do {
      try (Stream<Path> files = Files.exists(staging) ? Files.list(staging) : Stream.empty()) {
        left = files.count();
      }
      if (left == 0) return;
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    assertEquals(0, left, "staging folders left behind");
  }

  private static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  private static String readAnswer(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    InputStream in = socket.getInputStream();
    StringBuilder got = new StringBuilder();
    byte[] buffer = new byte[4096];
    int n;
    try {
      while ((n = in.read(buffer)) > 0) {
        got.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        if (got.indexOf("\r\n\r\n") > 0 && got.indexOf("}") > 0) break;
      }
    } catch (IOException endedEarly) {
      // what arrived is the answer
    }
    return got.toString();
  }
}
