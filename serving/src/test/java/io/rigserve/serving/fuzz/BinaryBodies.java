package io.rigserve.serving.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/**
 * Hostile bodies of the binary tensor data extension: valid seeds (a JSON header, then the
 * inputs' little-endian bytes) with a mutated header, a mutated binary tail, or an
 * {@code Inference-Header-Content-Length} that lies.
 */
final class BinaryBodies {

  /** {model, JSON header, binary tail in hex}. */
  private static final List<String[]> SEEDS = List.of(
      new String[] {"cast", "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"INT32\",\"parameters\":"
          + "{\"binary_data_size\":8}}],\"outputs\":[{\"name\":\"doubles\",\"parameters\":{\"binary_data\":true}}]}",
          "0100000002000000"},
      new String[] {"mlp", "{\"parameters\":{\"binary_data_output\":true},\"inputs\":[{\"name\":\"features\",\"shape\":[1,4],"
          + "\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":16}},{\"name\":\"offset\",\"shape\":[1,3],"
          + "\"datatype\":\"FP32\",\"data\":[0,0,0]}]}",
          "0000803f000000400000404000008040"},
      new String[] {"types", "{\"inputs\":[{\"name\":\"in_bytes\",\"shape\":[2],\"datatype\":\"BYTES\",\"parameters\":"
          + "{\"binary_data_size\":13}},{\"name\":\"in_fp16\",\"shape\":[2],\"datatype\":\"FP16\",\"parameters\":"
          + "{\"binary_data_size\":4}},{\"name\":\"in_bool\",\"shape\":[2],\"datatype\":\"BOOL\",\"parameters\":"
          + "{\"binary_data_size\":2}}]}",
          "00000000050000006820692161003801000100"});

  /** A request and whether it may carry its own deadline (then a 504 is its due answer). */
  record Body(RawRequest request, boolean ownDeadline) {}

  private BinaryBodies() {}

  static Body hostile(HostileInputs in) {
    String[] seed = in.pick(SEEDS);
    byte[] json = in.chance(0.5) ? JsonMutations.mutate(seed[1], in).body() : seed[1].getBytes(StandardCharsets.UTF_8);
    byte[] tail = HexFormat.of().parseHex(seed[2]);
    if (in.chance(0.4)) tail = in.mutate(tail);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(json);
    body.writeBytes(tail);
    RawRequest request = new RawRequest("POST", "/v2/models/" + seed[0] + "/infer", body.toByteArray())
        .header("Content-Type", in.pick("application/octet-stream", "application/json"));
    if (in.chance(0.9)) {
      int n = json.length;
      request.header("Inference-Header-Content-Length", in.chance(0.6) ? Integer.toString(n) : in.pick(
          Integer.toString(n - 1), Integer.toString(n + 1), Integer.toString(n + tail.length), Integer.toString(n + tail.length + 1),
          "0", "-1", "", " " + n, n + " ", "+" + n, "0x10", "abc", "99999999999999999999", "2147483648", n + ", " + n));
    }
    return new Body(request, new String(json, StandardCharsets.UTF_8).contains("timeout"));
  }
}
