package io.rigserve.serving.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rigserve.sharding.tensor.TensorSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What every gateway must know of a deployed model version to validate requests and run its
 * chain: the model's inputs and outputs, and per stage the tensors it reads and writes. It
 * travels inside the cluster-wide deployment as JSON, so rigs need no copy of the model file.
 */
public record ModelDescriptor(List<TensorSpec> inputs, List<TensorSpec> outputs, List<Stage> stages, long hedgeAfterMillis) {

  /** A descriptor without hedging. */
  public ModelDescriptor(List<TensorSpec> inputs, List<TensorSpec> outputs, List<Stage> stages) {
    this(inputs, outputs, stages, 0);
  }

  /** How long a stage waits before a second copy goes to the next replica; zero: never. */
  public Duration hedgeAfter() {
    return Duration.ofMillis(hedgeAfterMillis);
  }

  /** One pipeline stage: the tensors it reads (request inputs or earlier outputs) and writes. */
  public record Stage(List<String> inputs, List<String> outputs) {
    public Stage {
      inputs = List.copyOf(inputs);
      outputs = List.copyOf(outputs);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  public ModelDescriptor {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    stages = List.copyOf(stages);
  }

  public byte[] toBytes() {
    ObjectNode root = JSON.createObjectNode();
    root.set("inputs", TensorSpecJson.toJson(inputs));
    root.set("outputs", TensorSpecJson.toJson(outputs));
    root.put("hedgeAfterMs", hedgeAfterMillis);
    ArrayNode stageArray = root.putArray("stages");
    for (Stage s : stages) {
      ObjectNode node = stageArray.addObject();
      s.inputs().forEach(node.putArray("inputs")::add);
      s.outputs().forEach(node.putArray("outputs")::add);
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ModelDescriptor fromBytes(byte[] bytes) {
    try {
      JsonNode root = JSON.readTree(bytes);
      List<Stage> stages = new ArrayList<>();
      for (JsonNode s : root.get("stages")) {
        stages.add(new Stage(strings(s.get("inputs")), strings(s.get("outputs"))));
      }
      long hedge = root.has("hedgeAfterMs") ? root.get("hedgeAfterMs").asLong() : 0;
      return new ModelDescriptor(TensorSpecJson.fromJson(root.get("inputs")), TensorSpecJson.fromJson(root.get("outputs")), stages, hedge);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a model descriptor: " + e.getMessage(), e);
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
