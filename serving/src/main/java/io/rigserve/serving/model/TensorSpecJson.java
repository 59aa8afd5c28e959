package io.rigserve.serving.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Tensor specs as JSON, {@code [{"name", "datatype", "shape"}]}, the form a model descriptor and a
 * trial load's answer carry them in; datatypes by their protocol names.
 */
public final class TensorSpecJson {

  private TensorSpecJson() {}

  public static ArrayNode toJson(List<TensorSpec> specs) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    for (TensorSpec s : specs) {
      ObjectNode node = array.addObject().put("name", s.name()).put("datatype", s.datatype().protocolName());
      ArrayNode shape = node.putArray("shape");
      for (long d : s.shape()) shape.add(d);
    }
    return array;
  }

  /** The specs of {@code array}; an {@link IllegalArgumentException} when one is malformed. */
  public static List<TensorSpec> fromJson(JsonNode array) {
    if (array == null || !array.isArray()) throw new IllegalArgumentException("tensor specs are not an array");
    List<TensorSpec> specs = new ArrayList<>();
    for (JsonNode node : array) {
      String datatype = node.path("datatype").asText();
      DataType type = DataType.fromProtocolName(datatype)
          .orElseThrow(() -> new IllegalArgumentException("unknown datatype '" + datatype + "'"));
      JsonNode dims = node.path("shape");
      long[] shape = new long[dims.size()];
      for (int i = 0; i < shape.length; i++) shape[i] = dims.get(i).asLong();
      specs.add(new TensorSpec(node.path("name").asText(), type, shape));
    }
    return List.copyOf(specs);
  }
}
