package io.rigserve.serving.api.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rigserve.serving.inference.ModelConfiguration;
import io.rigserve.sharding.tensor.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * A model configuration as Triton's {@code GET /v2/models/{m}/config} answers it: the JSON form
 * of Triton's {@code ModelConfig} message ({@code data_type} names, {@code dims}, parameters as
 * {@code {"key": {"string_value": "..."}}}), which Triton's tools read.
 */
final class ModelConfigJson {

  private ModelConfigJson() {}

  static ObjectNode encode(ModelConfiguration c) {
    ObjectNode node = JsonNodeFactory.instance.objectNode()
        .put("name", c.name())
        .put("platform", c.platform())
        .put("backend", c.backend())
        .put("max_batch_size", c.maxBatchSize());
    node.set("input", tensors(c.inputs()));
    node.set("output", tensors(c.outputs()));
    ObjectNode parameters = node.putObject("parameters");
    c.parameters().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> parameters.putObject(e.getKey()).put("string_value", e.getValue()));
    return node;
  }

  private static ArrayNode tensors(List<TensorSpec> specs) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    for (TensorSpec s : specs) {
      ObjectNode t = array.addObject().put("name", s.name()).put("data_type", ModelConfiguration.configType(s.datatype()));
      ArrayNode dims = t.putArray("dims");
      for (long d : s.shape()) dims.add(d);
    }
    return array;
  }
}
