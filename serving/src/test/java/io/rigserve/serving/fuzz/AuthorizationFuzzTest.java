package io.rigserve.serving.fuzz;

import io.grpc.CallOptions;
import io.grpc.Metadata;
import io.grpc.Status;
import io.rigserve.serving.RawGrpc;
import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import io.rigserve.serving.testmodels.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Credentials under fuzz, on a rig with API keys and an admin token: near misses of the real
 * key and token (flipped, cut, padded, other schemes, other cases, control bytes) on inference
 * (REST and gRPC), repository writes and the management port. A credential that is not exactly
 * a valid one never gets in, no answer repeats a secret, and nothing is a 5xx or a hang.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationFuzzTest {

  private String apiKey;
  private String adminToken;
  private TestRig rig;
  private RigWatch watch;
  private RawGrpc grpc;

  @BeforeAll
  void start() throws Exception {
    SecureRandom random = new SecureRandom();
    apiKey = HexFormat.of().formatHex(random.generateSeed(16));
    adminToken = HexFormat.of().formatHex(random.generateSeed(16));
    Path repository = Files.createTempDirectory("rigserve-fuzz-auth");
    ServedModels.writeRepository(repository);
    Path keys = Files.writeString(repository.resolveSibling(repository.getFileName() + "-keys"), "fuzz:" + apiKey + "\n");
    Path token = Files.writeString(repository.resolveSibling(repository.getFileName() + "-token"), adminToken + "\n");
    rig = TestRig.start(repository, "rigserve.security.api-keys-file = \"" + keys + "\"\n"
        + "rigserve.security.admin-token-file = \"" + token + "\"");
    watch = RigWatch.of(rig, apiKey);
    grpc = new RawGrpc(rig.rig.grpcPort(), null);
  }

  @AfterAll
  void stop() throws Exception {
    grpc.close();
    watch.close();
    rig.close();
  }

  @Test
  void nearMissesOfTheKeyAndTokenNeverGetInAndNoAnswerRepeatsASecret() throws Exception {
    byte[] model = TestModels.castInt32ToFp64();
    FuzzRun.of("authorization").run((i, in, findings) -> {
      boolean admin = in.chance(0.4);
      String secret = admin ? adminToken : apiKey;
      String value = credential(secret, in);
      boolean valid = admin ? isBearer(value, adminToken) : isBearer(value, apiKey) || isBearer(value, adminToken);
      if (!admin && in.chance(0.25)) {
        Metadata headers = new Metadata();
        headers.put(RigWatch.AUTHORIZATION, printable(value));
        RawGrpc.Result r = grpc.call(RigWatch.INFER_METHOD, RigWatch.GRPC_INFER.toByteArray(), headers, CallOptions.DEFAULT, FuzzRun.PATIENCE);
        String input = "gRPC ModelInfer, authorization: " + Findings.shown(printable(value));
        if (r.hung()) findings.add("gRPC: no status within " + FuzzRun.PATIENCE.toSeconds() + " s", i, input);
        else if (r.status().isOk() && !isBearer(printable(value), apiKey) && !isBearer(printable(value), adminToken)) {
          findings.add("gRPC inference accepted a wrong credential", i, input);
        } else if (r.status().getCode() == Status.Code.INTERNAL || r.status().getCode() == Status.Code.UNKNOWN) {
          findings.add("gRPC: " + r.status().getCode(), i, input);
        }
        return;
      }
      RawRequest request;
      int port = rig.rig.httpPort();
      String category;
      if (!admin) {
        category = "POST /v2/models/mlp/infer";
        request = new RawRequest("POST", "/v2/models/mlp/infer", RigWatch.REST_INFER.getBytes(StandardCharsets.UTF_8))
            .header("Content-Type", "application/json");
      } else if (in.chance(0.5)) {
        category = "PUT /v2/repository/models/{m}/versions/{v}";
        request = new RawRequest("PUT", "/v2/repository/models/fuzzed/versions/" + (i + 1), model)
            .header("Content-Type", "application/octet-stream");
      } else {
        category = "management GET /cluster/members";
        port = rig.rig.managementPort();
        request = new RawRequest("GET", "/cluster/members", new byte[0]);
      }
      request.header("Authorization", value);
      if (in.chance(0.05)) request.header("Authorization", credential(secret, in));
      RawHttp.Answer answer = RawHttp.exchange(port, request.toBytes(), FuzzRun.PATIENCE);
      String input = category + ", Authorization: " + Findings.shown(value);
      if (!valid && answer.status() >= 200 && answer.status() < 300) {
        findings.add(category + " accepted a wrong credential (" + answer.status() + ")", i, input);
      }
      String said = answer.head() + answer.bodyText();
      if (said.contains(apiKey) || said.contains(adminToken)) findings.add(category + ": the answer repeats a secret", i, input);
      HttpVerdict.judge(answer, category, i, input, findings, !category.startsWith("management"), false);
    }, 500, watch::assertSameAnswers);
  }

  /** A near miss of {@code Bearer <secret>}, now and then the real thing. */
  private static String credential(String secret, HostileInputs in) {
    String v = switch (in.below(12)) {
      case 0 -> "Bearer " + secret;
      case 1 -> "Bearer " + secret.substring(0, in.below(secret.length()));
      case 2 -> "Bearer " + secret + in.pick("x", "0", " x", "\u0000", ",", ";", secret);
      case 3 -> "Bearer " + flip(secret, in);
      case 4 -> in.pick("Basic ", "Token ", "Bearer", "Bearer:", "", "Digest ", "bearer  ") + secret;
      case 5 -> "Bearer " + secret.toUpperCase(Locale.ROOT);
      case 6 -> "Bearer " + in.string();
      case 7 -> "Bearer fuzz:" + secret;
      case 8 -> "Bearer " + "0".repeat(secret.length());
      case 9 -> "Bearer " + new String(in.mutate(secret.getBytes(StandardCharsets.ISO_8859_1)), StandardCharsets.ISO_8859_1);
      case 10 -> in.string();
      default -> "Bearer " + secret.substring(1) + secret.charAt(0);
    };
    return v.replace("\r", "").replace("\n", "");
  }

  private static String flip(String secret, HostileInputs in) {
    char[] c = secret.toCharArray();
    int at = in.below(c.length);
    c[at] = c[at] == 'a' ? 'b' : 'a';
    return new String(c);
  }

  /**
   * Whether {@code value} is the scheme Bearer (any case) and exactly {@code secret}. Lenient on
   * the separator (blanks, a colon, or none): what matters is that only the exact secret gets in.
   */
  private static boolean isBearer(String value, String secret) {
    String v = value.strip();
    if (!v.regionMatches(true, 0, "bearer", 0, 6)) return false;
    String token = v.substring(6).replaceFirst("^[ \t:]+", "");
    return token.equals(secret);
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) b.append(c >= 0x20 && c < 0x7f ? c : '?');
    return b.toString();
  }
}
