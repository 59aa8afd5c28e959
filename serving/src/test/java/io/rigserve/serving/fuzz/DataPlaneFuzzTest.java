package io.rigserve.serving.fuzz;

import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The data plane under fuzz: artifact paths with traversal in every encoding, odd partition
 * numbers, huge and broken ranges, other methods. Besides the common checks, whatever the rig
 * hands out with 200 must be one of its partition files, byte for byte: never any other file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataPlaneFuzzTest {

  private static final List<String> TRAVERSALS = List.of("..", "%2e%2e", "%2E%2E", "%252e%252e", "..%2f..", "%2e%2e%2f%2e%2e",
      "..%5c..", "%c0%ae%c0%ae", ".%2e", "..;", "....//", "%00", "mlp%2f..%2f..%2f..", "..%00", ".", "%2f", "~root", "*");

  private TestRig rig;
  private RigWatch watch;
  private final List<byte[]> artifacts = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    Path repository = Files.createTempDirectory("rigserve-fuzz-data-plane");
    ServedModels.writeRepository(repository);
    Files.writeString(repository.resolve(".artifacts").getParent().resolve("secret.txt"), "root:x:0:0:secret");
    rig = TestRig.start(repository, "");
    watch = RigWatch.of(rig);
    try (Stream<Path> files = Files.walk(repository.resolve(".artifacts"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".onnx")).toList()) artifacts.add(Files.readAllBytes(f));
    }
  }

  @AfterAll
  void stop() throws Exception {
    watch.close();
    rig.close();
  }

  @Test
  void hostileArtifactRequestsGetOnlyPartitionFilesNever5xxNorHangs() throws Exception {
    int port = rig.rig.rigSettings().dataPlanePort();
    FuzzRun.of("data-plane").run((i, in, findings) -> {
      String model = in.chance(0.4) ? in.pick("mlp", "cast", "conv", "types") : in.chance(0.5) ? in.pick(TRAVERSALS) : in.segment();
      String version = in.chance(0.5) ? "1" : in.chance(0.5) ? in.pick(TRAVERSALS) : in.segment();
      String partition = in.chance(0.4) ? in.pick("0", "1") : in.pick("-1", "2147483647", "2147483648", "99999999999999999999",
          "0x1", "1e3", "%30", "+0", "00", " 0", "0/..", in.pick(TRAVERSALS), in.segment());
      String target = switch (in.below(6)) {
        case 0 -> "/artifacts/" + model + "/" + version;
        case 1 -> "/artifacts/" + model + "/" + version + "/" + partition + "/" + in.pick(TRAVERSALS) + "/secret.txt";
        case 2 -> "/artifacts/" + String.join("/", in.pick(TRAVERSALS), in.pick(TRAVERSALS), in.pick(TRAVERSALS), "secret.txt");
        default -> "/artifacts/" + model + "/" + version + "/" + partition;
      };
      if (in.chance(0.1)) target = in.pick("/", "/artifacts", "/artifacts/", "//artifacts/mlp/1/0", "/ARTIFACTS/mlp/1/0",
          "/artifacts/mlp/1/0?x=" + in.segment(), "/artifacts/mlp/1/0#x", "/" + in.segment());
      RawRequest request = new RawRequest(in.chance(0.85) ? "GET" : in.pick("HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE",
          "PATCH", "FOO"), target, in.chance(0.8) ? new byte[0] : in.bytes());
      if (in.chance(0.4)) {
        request.header("Range", in.pick("bytes=0-99999999999999999999", "bytes=-1", "bytes=5-1", "bytes=0-0,1-1,2-2",
            "bytes=" + "0-1,".repeat(2000) + "0-1", "bytes=18446744073709551615-", "items=0-1", "bytes=", "bytes=-0",
            "bytes=9223372036854775807-9223372036854775807"));
      }
      if (in.chance(0.15)) request.withHostileHeaders(in);
      RawHttp.Answer answer = RawHttp.exchange(port, request.toBytes(), FuzzRun.PATIENCE);
      HttpVerdict.judge(answer, "GET /artifacts/{m}/{v}/{p}", i, request.toString(), findings, true, false);
      if (answer.status() >= 200 && answer.status() < 300 && answer.body().length > 0 && !isArtifact(answer.body())) {
        findings.add("data plane answered " + answer.status() + " with bytes that are no partition file: "
            + Findings.shown(new String(answer.body(), 0, Math.min(80, answer.body().length), StandardCharsets.ISO_8859_1)),
            i, request.toString());
      }
    }, 500, watch::assertSameAnswers);
  }

  /** Whether {@code body} is one of the rig's partition files (or the start of one, when the answer was cut to a range). */
  private boolean isArtifact(byte[] body) {
    for (byte[] a : artifacts) {
      if (body.length <= a.length && Arrays.equals(body, 0, body.length, a, 0, body.length)) return true;
      // A satisfiable range of a file is a slice of it.
      if (body.length < a.length && indexOf(a, body) >= 0) return true;
    }
    return false;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }
}
