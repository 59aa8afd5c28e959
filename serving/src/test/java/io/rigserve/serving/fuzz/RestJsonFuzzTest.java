package io.rigserve.serving.fuzz;

import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import io.rigserve.serving.testmodels.TestModels;
import io.rigserve.sharding.tensor.DataType;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The REST port under fuzz: structure-aware mutations of valid inference requests for every
 * served model, hostile methods, paths and bodies on the metadata, health and repository routes,
 * hostile headers, and byte mutations of whole requests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestJsonFuzzTest {

  static final String MAX_REQUEST = "1 MiB";

  /** Valid requests per served model, the seeds every mutation starts from. */
  static final List<String[]> INFER = List.of(
      new String[] {"mlp", RigWatch.REST_INFER},
      new String[] {"cast", "{\"id\":\"c\",\"parameters\":{\"timeout\":5000000},\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],"
          + "\"datatype\":\"INT32\",\"data\":[1,2]}],\"outputs\":[{\"name\":\"doubles\"}]}"},
      new String[] {"conv", "{\"inputs\":[{\"name\":\"image\",\"shape\":[1,1,8,8],\"datatype\":\"FP32\",\"data\":"
          + Arrays.toString(new float[64]) + "}]}"},
      new String[] {"types", typesRequest()});

  private static final Set<String> SERVED = ServedModels.ALL.keySet();

  private TestRig rig;
  private RigWatch watch;

  @BeforeAll
  void start() throws Exception {
    Path repository = Files.createTempDirectory("rigserve-fuzz-rest");
    ServedModels.writeRepository(repository);
    rig = TestRig.start(repository, "rigserve.serving.max-request-size = " + MAX_REQUEST);
    watch = RigWatch.of(rig);
  }

  @AfterAll
  void stop() throws Exception {
    watch.close();
    rig.close();
  }

  @Test
  void hostileRestRequestsNeverGet5xxNorHangAndTheRigAnswersValidRequestsAsBefore() throws Exception {
    int port = rig.rig.httpPort();
    FuzzRun.of("rest").run((i, in, findings) -> {
      String category;
      RawRequest request;
      boolean ownDeadline;
      int kind = in.below(22);
      if (kind < 11) {
        String[] model = in.pick(INFER);
        JsonMutations.Mutated body = JsonMutations.mutate(model[1], in);
        request = new RawRequest("POST", inferPath(model[0], in), body.body()).header("Content-Type", "application/json");
        RawHttp.Answer answer = RawHttp.exchange(port, request.toBytes(), FuzzRun.PATIENCE);
        if (body.malformed() && answer.status() == 200) {
          findings.add("POST /v2/models/{m}/infer: malformed JSON answered 200", i, request.toString());
        }
        HttpVerdict.judge(answer, "POST /v2/models/{m}/infer, mutated JSON", i, request.toString(), findings, true,
            new String(body.body(), StandardCharsets.UTF_8).contains("timeout"));
        return;
      } else if (kind < 14) {
        String[] model = in.pick(INFER);
        category = "POST /v2/models/{m}/infer, hostile headers";
        request = new RawRequest("POST", inferPath(model[0], in), model[1].getBytes(StandardCharsets.UTF_8))
            .header("Content-Type", "application/json").withHostileHeaders(in);
        ownDeadline = true;
      } else if (kind >= 20) {
        category = "POST /v2/models/{m}/infer, binary tensor data";
        BinaryBodies.Body body = BinaryBodies.hostile(in);
        request = body.request();
        ownDeadline = body.ownDeadline();
      } else if (kind < 17) {
        String[] route = route(in);
        category = route[0];
        byte[] body = in.chance(0.5)
            ? JsonMutations.mutate(in.chance(0.5) ? "{}" : "{\"parameters\":{\"partitions\":1}}", in).body() : in.bytes();
        request = new RawRequest(method(in, route[2]), route[1], body).header("Content-Type", "application/json");
        if (in.chance(0.3)) request.withHostileHeaders(in);
        ownDeadline = false;
      } else {
        String[] model = in.pick(INFER);
        RawRequest valid = new RawRequest("POST", "/v2/models/" + model[0] + "/infer", model[1].getBytes(StandardCharsets.UTF_8))
            .header("Content-Type", "application/json");
        byte[] bytes = valid.toMutatedBytes(in);
        RawHttp.Answer answer = RawHttp.exchange(port, bytes, FuzzRun.PATIENCE);
        HttpVerdict.judge(answer, "byte-mutated request", i, new String(bytes, StandardCharsets.ISO_8859_1), findings,
            true, true);
        return;
      }
      RawHttp.Answer answer = RawHttp.exchange(port, request.toBytes(), FuzzRun.PATIENCE);
      HttpVerdict.judge(answer, category, i, request.toString(), findings, true, ownDeadline);
    }, 500, watch::assertSameAnswers);
  }

  private static String inferPath(String model, HostileInputs in) {
    if (in.chance(0.8)) return "/v2/models/" + model + "/infer";
    return in.pick("/v2/models/" + model + "/versions/1/infer", "/v2/models/" + model + "/versions/" + in.segment() + "/infer",
        "/v2/models/" + model + "/infer?" + in.segment(), "/v2/models/" + model + "/infer/", "/v2/models/" + model + "//infer",
        "/v2/models/" + in.segment() + "/infer", "/v2/models/" + model + "/infer#" + in.segment());
  }

  /** {@code segment} percent-decoded once, as a path segment is; itself when it does not decode. */
  private static String decoded(String segment) {
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return segment;
    }
  }

  /** A route of the REST port with hostile segments: {category, target, its own method}. */
  private static String[] route(HostileInputs in) {
    String seg = in.segment();
    // Unload and load are the operator's to use; aimed at served models they would change what the watch checks.
    // Pekko collapses dot segments ("mlp/../cast" is cast) and the route percent-decodes ("%63%61%73%74" is
    // cast too), so any segment naming a served model anywhere is kept away from them.
    String other = SERVED.stream().anyMatch(m -> seg.contains(m) || decoded(seg).contains(m)) ? "ghost" : seg;
    return switch (in.below(12)) {
      case 0 -> new String[] {"GET /v2/models/{m}", "/v2/models/" + seg, "GET"};
      case 1 -> new String[] {"GET /v2/models/{m}/versions/{v}", "/v2/models/" + in.pick(SERVED.toArray(String[]::new))
          + "/versions/" + seg, "GET"};
      case 2 -> new String[] {"GET /v2/models/{m}/ready", "/v2/models/" + seg + "/ready", "GET"};
      case 3 -> new String[] {"GET /v2/health/*", in.pick("/v2/health/live", "/v2/health/ready", "/v2", "/v2/") + in.pick("", "/" + seg,
          "?" + seg, "/..", "/%2e%2e"), "GET"};
      case 4 -> new String[] {"POST /v2/repository/index", "/v2/repository/index" + in.pick("", "?" + seg), "POST"};
      case 5 -> new String[] {"POST /v2/repository/models/{m}/load", "/v2/repository/models/" + other + "/load", "POST"};
      case 6 -> new String[] {"POST /v2/repository/models/{m}/unload", "/v2/repository/models/" + other + "/unload", "POST"};
      case 7 -> new String[] {"PUT /v2/repository/models/{m}/versions/{v}", "/v2/repository/models/" + other + "/versions/"
          + in.segment(), "PUT"};
      case 8 -> new String[] {"any path", "/" + seg + (in.chance(0.5) ? "/" + in.segment() : ""), "GET"};
      case 9 -> new String[] {"request target forms", in.pick("*", "http://127.0.0.1/v2", "//v2/health/live", "v2/health/live",
          "/v2/health/live?" + "q=".repeat(5000), "/" + "a/".repeat(2000), "/v2/models/" + "%".repeat(3), "/\u00e9", ""), "GET"};
      case 10 -> new String[] {"GET /v2/models/{m}/versions/{v}/ready", "/v2/models/" + seg + "/versions/" + in.segment()
          + "/ready", "GET"};
      default -> new String[] {"POST /v2/models/{m}/infer, unknown model", "/v2/models/" + other + "/infer", "POST"};
    };
  }

  private static String method(HostileInputs in, String own) {
    return in.chance(0.6) ? own : in.pick("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT",
        "get", "FOO", "M".repeat(100), "G\u0000ET", "");
  }

  private static String typesRequest() {
    String[][] cases = {
        {"BOOL", "[true,false,true]"}, {"UINT8", "[0,1,255]"}, {"UINT16", "[0,1,65535]"},
        {"UINT32", "[0,1,4294967295]"}, {"UINT64", "[0,1,18446744073709551615]"}, {"INT8", "[-128,0,127]"},
        {"INT16", "[-32768,0,32767]"}, {"INT32", "[-2147483648,0,2147483647]"},
        {"INT64", "[-9223372036854775808,0,9223372036854775807]"}, {"FP16", "[0.5,-2.0,1024.0]"}, {"BF16", "[0.5,-2.0,1024.0]"},
        {"FP32", "[0.25,-1.5,3.0E38]"}, {"FP64", "[1.0E-300,-2.5,1.7976931348623157E308]"}, {"BYTES", "[\"\",\"h\u00e9llo\",\"a\"]"}};
    StringBuilder inputs = new StringBuilder();
    for (String[] c : cases) {
      if (inputs.length() > 0) inputs.append(',');
      inputs.append("{\"name\":\"").append(TestModels.identityInput(DataType.valueOf(c[0])))
          .append("\",\"shape\":[3],\"datatype\":\"").append(c[0]).append("\",\"data\":").append(c[1]).append('}');
    }
    return "{\"inputs\":[" + inputs + "]}";
  }
}
