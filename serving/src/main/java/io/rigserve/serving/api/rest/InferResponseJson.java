package io.rigserve.serving.api.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rigserve.serving.inference.InferResponse;
import io.rigserve.sharding.tensor.Tensor;

/** Writes the protocol's JSON inference response. */
final class InferResponseJson {

  private InferResponseJson() {}

  /** Outputs {@code binary} wants carry their byte size in place of data: their bytes follow the JSON. */
  static ObjectNode encode(InferResponse response, BinaryOutputs binary) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("model_name", response.model());
    node.put("model_version", response.version());
    if (!response.id().isEmpty()) {
      node.put("id", response.id());
    }
    ArrayNode outputs = node.putArray("outputs");
    for (Tensor t : response.outputs()) {
      outputs.add(binary.wanted(t.name()) ? described(t) : JsonTensors.encode(t));
    }
    return node;
  }

  private static ObjectNode described(Tensor t) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("name", t.name());
    node.put("datatype", t.datatype().protocolName());
    ArrayNode shape = node.putArray("shape");
    for (long d : t.shape()) shape.add(d);
    node.putObject("parameters").put(BinaryTensors.SIZE, t.data().length);
    return node;
  }
}
