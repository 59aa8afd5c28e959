package io.rigserve.serving.api.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rigserve.serving.inference.InferResponse;
import io.rigserve.sharding.tensor.Tensor;

/** Writes the protocol's JSON inference response. */
final class InferResponseJson {

  private InferResponseJson() {}

  static ObjectNode encode(InferResponse response) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("model_name", response.model());
    node.put("model_version", response.version());
    if (!response.id().isEmpty()) {
      node.put("id", response.id());
    }
    ArrayNode outputs = node.putArray("outputs");
    for (Tensor t : response.outputs()) {
      outputs.add(JsonTensors.encode(t));
    }
    return node;
  }
}
