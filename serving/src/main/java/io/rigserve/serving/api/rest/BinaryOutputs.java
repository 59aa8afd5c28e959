package io.rigserve.serving.api.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.rigserve.cluster.http.ClientText;
import io.rigserve.serving.error.InvalidInput;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which outputs a request wants as binary data (Triton's binary tensor data extension): an
 * output's own {@code binary_data} parameter, else the request's {@code binary_data_output},
 * else JSON.
 */
record BinaryOutputs(boolean all, Map<String, Boolean> byOutput) {

  static final String ALL = "binary_data_output";
  static final String ONE = "binary_data";

  /** Reads both parameters from a JSON request whose structure {@link InferRequestJson} has checked. */
  static BinaryOutputs of(JsonNode request) {
    boolean all = flag(request.get("parameters"), ALL, "the request").orElse(false);
    Map<String, Boolean> byOutput = new HashMap<>();
    JsonNode outputs = request.get("outputs");
    if (outputs != null && outputs.isArray()) {
      for (JsonNode o : outputs) {
        String name = o.get("name").asText();
        flag(o.get("parameters"), ONE, "output '" + ClientText.echo(name) + "'").ifPresent(b -> byOutput.put(name, b));
      }
    }
    return new BinaryOutputs(all, Map.copyOf(byOutput));
  }

  boolean wanted(String output) {
    return byOutput.getOrDefault(output, all);
  }

  private static Optional<Boolean> flag(JsonNode parameters, String name, String owner) {
    if (parameters == null || parameters.isNull()) return Optional.empty();
    if (!parameters.isObject()) {
      throw new InvalidInput("\"parameters\" of " + owner + " must be a JSON object");
    }
    JsonNode v = parameters.get(name);
    if (v == null || v.isNull()) return Optional.empty();
    if (!v.isBoolean()) {
      throw new InvalidInput("parameter '" + name + "' of " + owner + " must be true or false");
    }
    return Optional.of(v.asBoolean());
  }
}
