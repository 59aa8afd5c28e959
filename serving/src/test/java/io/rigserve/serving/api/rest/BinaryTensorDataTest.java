package io.rigserve.serving.api.rest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import io.rigserve.serving.demo.DemoModels;
import io.rigserve.serving.testmodels.TestModels;
import io.rigserve.sharding.tensor.DataType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Triton's binary tensor data extension on a real rig, with bodies built byte by byte from the
 * public description: a JSON header of {@code Inference-Header-Content-Length} bytes, then each
 * binary input's little-endian bytes in input order (BYTES as 4-byte little-endian lengths).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BinaryTensorDataTest {

  private static final int MAX_REQUEST = 1 << 20;

  /** The values {@code RestApiTest} round-trips through JSON, as the spec lays them out in binary. */
  private static final Map<DataType, String[]> SAMPLES = new LinkedHashMap<>();

  static {
    SAMPLES.put(DataType.BOOL, new String[] {"[true,false,true]", "01 00 01"});
    SAMPLES.put(DataType.UINT8, new String[] {"[0,1,255]", "00 01 ff"});
    SAMPLES.put(DataType.UINT16, new String[] {"[0,1,65535]", "0000 0100 ffff"});
    SAMPLES.put(DataType.UINT32, new String[] {"[0,1,4294967295]", "00000000 01000000 ffffffff"});
    SAMPLES.put(DataType.UINT64, new String[] {"[0,1,18446744073709551615]",
        "0000000000000000 0100000000000000 ffffffffffffffff"});
    SAMPLES.put(DataType.INT8, new String[] {"[-128,0,127]", "80 00 7f"});
    SAMPLES.put(DataType.INT16, new String[] {"[-32768,0,32767]", "0080 0000 ff7f"});
    SAMPLES.put(DataType.INT32, new String[] {"[-2147483648,0,2147483647]", "00000080 00000000 ffffff7f"});
    SAMPLES.put(DataType.INT64, new String[] {"[-9223372036854775808,0,9223372036854775807]",
        "0000000000000080 0000000000000000 ffffffffffffff7f"});
    // IEEE half precision: 0.5 = 0x3800, -2.0 = 0xc000, 1024 = 0x6400.
    SAMPLES.put(DataType.FP16, new String[] {"[0.5,-2.0,1024.0]", "0038 00c0 0064"});
    // bfloat16, the upper half of FP32: 0.5 = 0x3f00, -2.0 = 0xc000, 1024 = 0x4480.
    SAMPLES.put(DataType.BF16, new String[] {"[0.5,-2.0,1024.0]", "003f 00c0 8044"});
    SAMPLES.put(DataType.FP32, new String[] {"[0.25,-1.5,3.0E38]", "0000803e 0000c0bf e6b1617f"});
    SAMPLES.put(DataType.FP64, new String[] {"[1.0E-300,-2.5,1.7976931348623157E308]",
        "59f3f8c21f6ea501 00000000000004c0 ffffffffffffef7f"});
    // "", "héllo" (é is c3 a9 in UTF-8), "a b c": each a 4-byte little-endian length, then its bytes.
    SAMPLES.put(DataType.BYTES, new String[] {"[\"\",\"héllo\",\"a b c\"]",
        "00000000 06000000 68c3a96c6c6f 05000000 6120622063"});
  }

  /** features [1, 4] of the mlp and input [1, 4] of the demo model: 1.0, 2.0, 3.0, 4.0 as FP32. */
  private static final String ONE_TO_FOUR = "0000803f 00000040 00004040 00008040";

  private static final ObjectMapper EXACT = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

  private Path repository;
  private TestRig rig;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  void startRig() throws Exception {
    repository = Files.createTempDirectory("rigserve-binary");
    ServedModels.writeRepository(repository);
    Path demo = repository.resolve(DemoModels.MLP_NAME).resolve("1");
    Files.createDirectories(demo);
    Files.write(demo.resolve("model.onnx"), DemoModels.mlp());
    rig = TestRig.start(repository, "rigserve.serving.max-request-size = " + MAX_REQUEST);
  }

  @AfterAll
  void stopRig() throws Exception {
    rig.close();
  }

  @Test
  void serverMetadataListsTheBinaryTensorDataExtension() throws Exception {
    assertTrue(rig.get("/v2").json().get("extensions").toString().contains("\"binary_tensor_data\""));
  }

  @Test
  void theDemoModelAnswersABinaryRequestInBinaryWithTheSameProbabilitiesAsJson() throws Exception {
    String header = "{\"parameters\":{\"binary_data_output\":true},\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],"
        + "\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":16}}]}";
    Answer binary = post("demo", header, hex(ONE_TO_FOUR));
    assertEquals(200, binary.status(), binary.text());
    assertEquals(Optional.of("application/octet-stream"), binary.contentType());
    JsonNode out = binary.output("probabilities");
    assertEquals("FP32", out.get("datatype").asText());
    assertEquals("[1,3]", out.get("shape").toString());
    assertEquals(12, out.get("parameters").get("binary_data_size").asInt());
    assertTrue(out.get("data") == null, out.toString());

    TestRig.Reply json = rig.post("/v2/models/demo/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],"
        + "\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}");
    assertEquals(200, json.status(), json.body());
    assertArrayEquals(fp32(dataOf(exact(json.body()), "probabilities")), binary.bytes("probabilities"));
  }

  @Test
  void binaryInputsWithJsonOutputsAnswerPlainJsonEqualToTheJsonPath() throws Exception {
    String header = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\","
        + "\"parameters\":{\"binary_data_size\":16}}]}";
    Answer binary = post("demo", header, hex(ONE_TO_FOUR));
    assertEquals(200, binary.status(), binary.text());
    assertEquals(Optional.of("application/json"), binary.contentType());
    assertEquals(Optional.empty(), binary.headerLength());
    TestRig.Reply json = rig.post("/v2/models/demo/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],"
        + "\"datatype\":\"FP32\",\"data\":[[1,2,3,4]]}]}");
    assertEquals(json.json(), TestRig.JSON.readTree(binary.body()));
  }

  @Test
  void everyDatatypeTravelsAsTheSpecLaysItOutAndMeansWhatItsJsonMeans() throws Exception {
    StringBuilder inputs = new StringBuilder();
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    for (Map.Entry<DataType, String[]> s : SAMPLES.entrySet()) {
      byte[] bytes = hex(s.getValue()[1]);
      if (inputs.length() > 0) inputs.append(',');
      inputs.append("{\"name\":\"").append(TestModels.identityInput(s.getKey())).append("\",\"shape\":[3],\"datatype\":\"")
          .append(s.getKey()).append("\",\"parameters\":{\"binary_data_size\":").append(bytes.length).append("}}");
      data.writeBytes(bytes);
    }
    Answer asBinary = post("types", "{\"parameters\":{\"binary_data_output\":true},\"inputs\":[" + inputs + "]}",
        data.toByteArray());
    assertEquals(200, asBinary.status(), asBinary.text());
    Answer asJson = post("types", "{\"inputs\":[" + inputs + "]}", data.toByteArray());
    assertEquals(200, asJson.status(), asJson.text());
    for (Map.Entry<DataType, String[]> s : SAMPLES.entrySet()) {
      String output = TestModels.identityOutput(s.getKey());
      assertArrayEquals(hex(s.getValue()[1]), asBinary.bytes(output), s.getKey().name());
      assertEquals(s.getKey().name(), asBinary.output(output).get("datatype").asText());
      assertEquals(s.getValue()[0], dataOf(TestRig.JSON.readTree(asJson.body()), output).toString(), s.getKey().name());
    }
  }

  @Test
  void jsonAndBinaryInputsMixAndEachOutputChoosesItsForm() throws Exception {
    String header = "{\"parameters\":{\"binary_data_output\":true},\"inputs\":["
        + "{\"name\":\"features\",\"shape\":[1,4],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":16}},"
        + "{\"name\":\"offset\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[0.5,-1,2]}],"
        + "\"outputs\":[{\"name\":\"label\",\"parameters\":{\"binary_data\":false}},{\"name\":\"scores\"}]}";
    Answer mixed = post("mlp", header, hex(ONE_TO_FOUR));
    assertEquals(200, mixed.status(), mixed.text());
    TestRig.Reply json = rig.post("/v2/models/mlp/infer", "{\"inputs\":["
        + "{\"name\":\"features\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]},"
        + "{\"name\":\"offset\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[0.5,-1,2]}]}");
    assertEquals(200, json.status(), json.body());
    assertEquals(dataOf(json.json(), "label"), mixed.output("label").get("data"));
    assertArrayEquals(fp32(dataOf(exact(json.body()), "scores")), mixed.bytes("scores"));
    assertEquals(12, mixed.output("scores").get("parameters").get("binary_data_size").asInt());
  }

  @Test
  void lyingOrBrokenFramingIsAClear400AndTheRigKeepsServing() throws Exception {
    String cast = "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":8}}]}";
    byte[] two = hex("01000000 02000000");
    byte[] castBody = concat(cast.getBytes(StandardCharsets.UTF_8), two);
    assertRefused("Inference-Header-Content-Length is " + (castBody.length + 1) + " but the body has only " + castBody.length,
        send("cast", Integer.toString(castBody.length + 1), castBody));
    assertRefused("Inference-Header-Content-Length must be the byte length", send("cast", "-5", castBody));
    assertRefused("Inference-Header-Content-Length must be the byte length", send("cast", "eight", castBody));
    assertRefused("Inference-Header-Content-Length must be the byte length", send("cast", "99999999999999999999", castBody));
    assertRefused("4 bytes of binary data that no input's binary_data_size accounts for",
        post("cast", cast, concat(two, hex("03000000"))));
    assertRefused("only 4 bytes of binary data remain", post("cast", cast, hex("01000000")));
    assertRefused("has binary_data_size 6, its shape [1, 2] of INT32 needs 8 bytes",
        post("cast", cast.replace(":8}", ":6}"), hex("010000000200")));
    assertRefused("no Inference-Header-Content-Length header, so no binary data",
        send("cast", null, cast.getBytes(StandardCharsets.UTF_8)));
    assertRefused("binary_data_size' of input 'ints' must be a non-negative integer",
        post("cast", cast.replace(":8}", ":-8}"), two));
    assertRefused("binary_data_size' of input 'ints' must be a non-negative integer",
        post("cast", cast.replace(":8}", ":\"8\"}"), two));
    assertRefused("has both \"data\" and binary_data_size",
        post("cast", cast.replace("\"parameters\"", "\"data\":[1,2],\"parameters\""), two));
    assertRefused("parameter 'binary_data' of output 'doubles' must be true or false",
        post("cast", cast.replace("}]}", "}],\"outputs\":[{\"name\":\"doubles\",\"parameters\":{\"binary_data\":1}}]}"), two));
    assertRefused("parameter 'binary_data_output' of the request must be true or false",
        post("cast", cast.replace("{\"inputs\"", "{\"parameters\":{\"binary_data_output\":\"yes\"},\"inputs\""), two));
    assertRefused("malformed JSON", post("cast", cast.substring(0, cast.length() - 1), concat("}".getBytes(StandardCharsets.UTF_8), two)));

    String bool = "{\"name\":\"in_bool\",\"shape\":[2],\"datatype\":\"BOOL\",\"parameters\":{\"binary_data_size\":2}}";
    assertRefused("has byte 2 at element 1", post("types", "{\"inputs\":[" + bool + "]}", hex("01 02")));
    String bytes = "{\"name\":\"in_bytes\",\"shape\":[2],\"datatype\":\"BYTES\",\"parameters\":{\"binary_data_size\":9}}";
    assertRefused("BYTES element 1 declares 255 bytes", post("types", "{\"inputs\":[" + bytes + "]}", hex("01000000 61 ff000000")));
    assertRefused("BYTES data has 5 bytes after its 1 elements",
        post("types", "{\"inputs\":[" + bytes.replace("[2]", "[1]") + "]}", hex("00000000 01000000 62")));
    assertRefused("more elements than the request can hold", post("cast",
        cast.replace("[1,2]", "[2147483647,2147483647]"), two));

    Answer tooLarge = post("cast", cast, new byte[MAX_REQUEST]);
    assertEquals(413, tooLarge.status(), tooLarge.text());
    assertTrue(TestRig.JSON.readTree(tooLarge.text()).get("error").asText().contains("too large"), tooLarge.text());

    Answer after = post("cast", cast, two);
    assertEquals(200, after.status(), after.text());
    assertEquals("[1.0,2.0]", after.output("doubles").get("data").toString());
  }

  // ---- a client that speaks the extension ----

  /** POSTs {@code json} then {@code binary} with the JSON's length in the header, as Triton's clients do. */
  private Answer post(String model, String json, byte[] binary) throws IOException, InterruptedException {
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    return send(model, Integer.toString(header.length), concat(header, binary));
  }

  private Answer send(String model, String headerLength, byte[] body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(rig.baseUrl() + "/v2/models/" + model + "/infer"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (headerLength != null) request.header("Inference-Header-Content-Length", headerLength);
    HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    return new Answer(response.statusCode(), response.headers().firstValue("Content-Type"),
        response.headers().firstValue("Inference-Header-Content-Length").map(Integer::parseInt), response.body());
  }

  /** A response as the extension frames it: JSON of the header's length, then each binary output's bytes. */
  private record Answer(int status, Optional<String> contentType, Optional<Integer> headerLength, byte[] raw) {

    String body() {
      return new String(raw, 0, headerLength.orElse(raw.length), StandardCharsets.UTF_8);
    }

    String text() {
      return new String(raw, StandardCharsets.UTF_8);
    }

    JsonNode json() throws IOException {
      return TestRig.JSON.readTree(body());
    }

    JsonNode output(String name) throws IOException {
      for (JsonNode o : json().get("outputs")) {
        if (o.get("name").asText().equals(name)) return o;
      }
      throw new AssertionError("no output " + name + " in " + body());
    }

    /** The binary bytes of output {@code name}: after the JSON, past the binary outputs listed before it. */
    byte[] bytes(String name) throws IOException {
      int offset = headerLength.orElseThrow(() -> new AssertionError("not a binary response: " + text()));
      for (JsonNode o : json().get("outputs")) {
        JsonNode size = o.path("parameters").get("binary_data_size");
        if (size == null) continue;
        if (o.get("name").asText().equals(name)) {
          int end = offset + size.asInt();
          assertTrue(end <= raw.length, "output " + name + " runs past the body");
          return Arrays.copyOfRange(raw, offset, end);
        }
        offset += size.asInt();
      }
      throw new AssertionError("output " + name + " is not binary in " + body());
    }
  }

  private static void assertRefused(String fragment, Answer answer) throws IOException {
    assertEquals(400, answer.status(), answer.text());
    String error = TestRig.JSON.readTree(answer.text()).get("error").asText();
    assertTrue(error.contains(fragment), "expected '" + fragment + "' in: " + error);
  }

  private static JsonNode dataOf(JsonNode response, String output) {
    for (JsonNode o : response.get("outputs")) {
      if (o.get("name").asText().equals(output)) return o.get("data");
    }
    throw new AssertionError("no output " + output + " in " + response);
  }

  /** JSON with its numbers kept as written, so that each converts to a float in one rounding. */
  private static JsonNode exact(String json) throws IOException {
    return EXACT.readTree(json);
  }

  /** JSON numbers as the FP32 little-endian bytes they denote. */
  private static byte[] fp32(JsonNode data) {
    ByteBuffer b = ByteBuffer.allocate(data.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (JsonNode v : data) b.putFloat(Float.parseFloat(v.decimalValue().toString()));
    return b.array();
  }

  private static byte[] hex(String spaced) {
    return HexFormat.of().parseHex(spaced.replace(" ", ""));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
