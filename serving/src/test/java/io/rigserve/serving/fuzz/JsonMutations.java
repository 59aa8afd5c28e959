package io.rigserve.serving.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Structure-aware mutations of a valid JSON request: the tree is changed where the protocol
 * gives meaning (shapes, datatypes, data, names, parameters, outputs) or anywhere at random,
 * then the text is optionally broken where a tree cannot go (duplicate keys, trailing data,
 * deep nesting, overlong numbers, invalid UTF-8).
 */
final class JsonMutations {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final List<String> DATATYPES = List.of("BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16",
      "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES", "BF16", "fp32", "FLOAT", "", "STRING", "INT128", "FP32 ");

  private JsonMutations() {}

  /** A mutated request body; {@code malformed} when it is certainly not strict JSON (so it must be refused). */
  record Mutated(byte[] body, boolean malformed) {}

  static Mutated mutate(String valid, HostileInputs in) {
    JsonNode tree;
    try {
      tree = JSON.readTree(valid);
    } catch (Exception e) {
      throw new IllegalArgumentException("template is not JSON: " + valid, e);
    }
    int rounds = 1 + (in.chance(0.3) ? in.below(4) : 0);
    for (int i = 0; i < rounds; i++) tree = in.chance(0.6) ? mutateTensor(tree, in) : mutateAnyNode(tree, in);
    String text = tree.toString();
    return in.chance(0.35) ? mutateText(text, in) : new Mutated(text.getBytes(StandardCharsets.UTF_8), false);
  }

  /** A mutation of one input tensor's fields, or of the request's parameters and outputs. */
  private static JsonNode mutateTensor(JsonNode tree, HostileInputs in) {
    if (!(tree instanceof ObjectNode request)) return tree;
    JsonNode inputs = request.get("inputs");
    if (in.chance(0.15) || !(inputs instanceof ArrayNode array) || array.isEmpty()) {
      if (in.chance(0.5)) request.set("parameters", parameters(in));
      else request.set("outputs", in.chance(0.8) ? NODES.arrayNode().add(NODES.objectNode().set("name", hostile(in)))
          : hostile(in));
      return tree;
    }
    JsonNode pickedNode = array.get(in.below(array.size()));
    if (!(pickedNode instanceof ObjectNode tensor)) return tree;
    switch (in.below(9)) {
      case 0 -> {
        ArrayNode shape = NODES.arrayNode();
        int rank = in.pick(0, 1, 2, 3, 4, 8, 64, 1000);
        for (int d = 0; d < rank; d++) shape.add(in.dimension());
        tensor.set("shape", shape);
      }
      case 1 -> tensor.put("datatype", in.pick(DATATYPES));
      case 2 -> tensor.set("data", data(in));
      case 3 -> tensor.set("name", hostile(in));
      case 4 -> tensor.set("parameters", parameters(in));
      case 5 -> tensor.remove(in.pick("name", "shape", "datatype", "data"));
      case 6 -> array.add(tensor.deepCopy());
      case 7 -> {
        // Ragged nesting: data whose nesting disagrees with the shape.
        ArrayNode ragged = NODES.arrayNode();
        ragged.addArray().add(1).add(2);
        ragged.addArray().add(3);
        if (in.chance(0.5)) ragged.addArray().addArray().add(4);
        tensor.set("data", ragged);
      }
      default -> tensor.set(in.pick("shape", "datatype", "data", "name"), hostile(in));
    }
    return tree;
  }

  private static ObjectNode parameters(HostileInputs in) {
    ObjectNode p = NODES.objectNode();
    int n = 1 + in.below(3);
    for (int i = 0; i < n; i++) {
      String key = in.chance(0.6) ? in.pick("timeout", "binary_data_size", "binary_data", "binary_data_output",
          "partitions", "regions", "replicas", "priority", "sequence_id") : in.string();
      p.set(key, hostile(in));
    }
    return p;
  }

  private static JsonNode data(HostileInputs in) {
    ArrayNode data = NODES.arrayNode();
    int n = in.chance(0.01) ? 30_000 : in.pick(0, 1, 2, 3, 4, 7, 8, 64, 100, 1000);
    for (int i = 0; i < n; i++) data.add(i < 8 || in.chance(0.01) ? hostile(in) : NODES.numberNode(i));
    return data;
  }

  /** Any JSON value an attacker would put where something else is expected. */
  static JsonNode hostile(HostileInputs in) {
    return switch (in.below(8)) {
      case 0, 1 -> NODES.textNode(in.string());
      case 2, 3 -> number(in.numberText());
      case 4 -> NODES.booleanNode(in.chance(0.5));
      case 5 -> NODES.nullNode();
      case 6 -> {
        JsonNode nested = number("1");
        int depth = in.pick(1, 2, 10, 100);
        for (int d = 0; d < depth; d++) nested = NODES.arrayNode().add(nested);
        yield nested;
      }
      default -> NODES.objectNode().set(in.string(), number(in.numberText()));
    };
  }

  private static JsonNode number(String text) {
    try {
      BigDecimal value = new BigDecimal(text);
      return text.contains(".") || text.contains("e") || text.contains("E")
          ? NODES.numberNode(value) : NODES.numberNode(value.toBigIntegerExact());
    } catch (NumberFormatException | ArithmeticException e) {
      return NODES.textNode(text);
    }
  }

  /** A random node anywhere in the tree replaced, removed, or given a sibling. */
  private static JsonNode mutateAnyNode(JsonNode tree, HostileInputs in) {
    List<JsonNode> containers = new ArrayList<>();
    collect(tree, containers);
    if (containers.isEmpty()) return hostile(in);
    JsonNode target = containers.get(in.below(containers.size()));
    if (target == tree && in.chance(0.1)) return hostile(in);
    if (target instanceof ObjectNode o) {
      List<String> keys = new ArrayList<>();
      o.fieldNames().forEachRemaining(keys::add);
      if (keys.isEmpty() || in.chance(0.3)) o.set(in.string(), hostile(in));
      else if (in.chance(0.3)) o.remove(in.pick(keys));
      else o.set(in.pick(keys), hostile(in));
    } else if (target instanceof ArrayNode a) {
      if (a.isEmpty() || in.chance(0.3)) a.add(hostile(in));
      else if (in.chance(0.3)) a.remove(in.below(a.size()));
      else a.set(in.below(a.size()), hostile(in));
    }
    return tree;
  }

  private static void collect(JsonNode node, List<JsonNode> containers) {
    if (node.isContainerNode()) {
      containers.add(node);
      node.elements().forEachRemaining(child -> collect(child, containers));
    }
  }

  /** Breaks the text where no tree can: keys twice, data after the end, nesting and numbers beyond limits, bad bytes. */
  static Mutated mutateText(String text, HostileInputs in) {
    String t;
    boolean malformed = true;
    switch (in.below(9)) {
      case 0 -> t = text + in.pick(" x", "{}", "]", "}", ",", "\u0000", " {\"inputs\": []}", "garbage", "\n\n1");
      case 1 -> t = text.replaceFirst("\\{", "{\"inputs\": [], ");
      case 2 -> t = text.replaceFirst("\"shape\":", "\"shape\": [1], \"shape\":");
      case 3 -> {
        int depth = in.chance(0.05) ? 100_000 : in.pick(100, 999, 1001, 5_000);
        t = text.replaceFirst("\"data\":", "\"data\": " + "[".repeat(depth) + "1" + "]".repeat(depth) + ", \"x\":");
        malformed = false;
      }
      case 4 -> {
        t = text.replaceFirst("\"data\":\\[", "\"data\":[1" + "0".repeat(in.chance(0.05) ? 100_000 : in.pick(20, 400, 1001)) + ",");
        malformed = false;
      }
      case 5 -> {
        String prefix = in.pick("\ufeff", "/* c */", "  \t\r\n ");
        t = prefix + text;
        malformed = prefix.startsWith("/*");
      }
      case 6 -> t = text.replace('"', '\'');
      case 7 -> t = text.replaceFirst("\"data\":\\[", "\"data\":[" + in.pick("NaN", "Infinity", "-Infinity", "0x10", "01", ".5",
          "+1", "1.", "1e", "\"\\uZZZZ\"") + ",");
      default -> t = null;
    }
    if (t != null) return new Mutated(t.getBytes(StandardCharsets.UTF_8), malformed && !t.equals(text));
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (in.chance(0.3)) {
      // Bytes that are not UTF-8 inside a string.
      int at = Math.max(0, text.indexOf('"') + 1);
      return new Mutated(HostileInputs.splice(bytes, at, 0, new byte[] {(byte) (int) in.pick(0xc0, 0xff, 0xed, 0x80), (byte) 0xaf}),
          at > 0);
    }
    return new Mutated(in.mutate(bytes), false);
  }
}
