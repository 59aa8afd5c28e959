package io.rigserve.serving.api.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.rigserve.cluster.http.ClientText;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.inference.InferRequest;
import io.rigserve.serving.inference.RequestPriority;
import io.rigserve.serving.inference.RequestTimeout;
import io.rigserve.sharding.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Reads the protocol's JSON inference request: id, parameters, inputs (data in JSON, or binary
 * after the JSON when the input says its {@code binary_data_size}), outputs.
 */
final class InferRequestJson {

  private InferRequestJson() {}

  static InferRequest decode(String model, String version, BinaryInferBody request, long maxElements) {
    JsonNode body = request.json();
    String id = optionalText(body, "id");
    Map<String, Object> parameters = parameters(body.get("parameters"));
    RequestPriority.of(parameters); // checked only: replicas serve requests in arrival order
    JsonNode inputs = body.get("inputs");
    if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
      throw new InvalidInput("the request needs a non-empty \"inputs\" array");
    }
    List<Tensor> tensors = new ArrayList<>(inputs.size());
    for (JsonNode input : inputs) {
      OptionalLong binarySize = BinaryTensors.size(input);
      tensors.add(binarySize.isPresent()
          ? BinaryTensors.decode(input, binarySize.getAsLong(), request, maxElements)
          : JsonTensors.decode(input, maxElements));
    }
    request.requireAllTaken();
    List<String> outputs = new ArrayList<>();
    JsonNode requested = body.get("outputs");
    if (requested != null && !requested.isNull()) {
      if (!requested.isArray()) {
        throw new InvalidInput("\"outputs\" must be an array of {\"name\": ...}");
      }
      for (JsonNode o : requested) {
        JsonNode name = o.get("name");
        if (name == null || !name.isTextual()) {
          throw new InvalidInput("each requested output needs a string \"name\"");
        }
        outputs.add(name.asText());
      }
    }
    return new InferRequest(model, version, id, tensors, outputs, RequestTimeout.of(parameters));
  }

  private static String optionalText(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) return "";
    if (!v.isTextual()) throw new InvalidInput("\"" + field + "\" must be a string");
    return v.asText();
  }

  /**
   * A JSON {@code parameters} object as plain values: booleans, longs (big integers past a long's
   * range, never cut short), doubles, strings.
   */
  static Map<String, Object> parameters(JsonNode node) {
    Map<String, Object> parameters = new LinkedHashMap<>();
    if (node == null || node.isNull()) return parameters;
    if (!node.isObject()) throw new InvalidInput("\"parameters\" must be a JSON object");
    node.fields().forEachRemaining(e -> {
      JsonNode v = e.getValue();
      if (v.isBoolean()) parameters.put(e.getKey(), v.asBoolean());
      else if (v.isIntegralNumber()) parameters.put(e.getKey(), v.canConvertToLong() ? (Object) v.asLong() : v.bigIntegerValue());
      else if (v.isTextual()) parameters.put(e.getKey(), v.asText());
      else if (v.isNumber()) parameters.put(e.getKey(), v.asDouble());
      else throw new InvalidInput("parameter '" + ClientText.echo(e.getKey()) + "' must be a boolean, number or string");
    });
    return parameters;
  }
}
