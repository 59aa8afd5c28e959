package io.rigserve.serving.partition;

import io.rigserve.proto.onnx.GraphProto;
import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.proto.onnx.NodeProto;
import io.rigserve.proto.onnx.SparseTensorProto;
import io.rigserve.proto.onnx.TensorProto;
import io.rigserve.proto.onnx.TypeProto;
import io.rigserve.proto.onnx.ValueInfoProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The top-level graph of a model as the partitioner sees it: the nodes that can be cut between
 * ("units", in a topological order), what each reads and produces, and the constants (initializers
 * and Constant nodes) that travel with their readers instead of crossing cuts.
 *
 * <p>Constant nodes are not units: each stage that reads one gets its own copy, so a shape
 * constant never becomes a tensor sent between rigs. Nodes that no graph output depends on are
 * left out; they cannot change an output.
 */
final class ModelGraph {

  private final ModelProto model;
  private final List<NodeProto> units;
  private final List<Set<String>> reads;
  private final long[] innerBytes;
  private final Map<String, Integer> producer = new HashMap<>();
  private final Map<String, Integer> lastReader = new HashMap<>();
  private final Map<String, Long> weightBytes = new HashMap<>();
  private final List<ValueInfoProto> requestInputs = new ArrayList<>();
  private final Map<String, ValueInfoProto> declared = new HashMap<>();
  private final Set<String> definedNames = new HashSet<>();
  private final Set<String> requestInputNames = new HashSet<>();
  private final Set<String> outputNames = new HashSet<>();

  private ModelGraph(ModelProto model) {
    this.model = model;
    GraphProto graph = model.getGraph();
    List<NodeProto> computing = collectConstants(graph);
    // Old exports list initializers among the inputs too (as overridable defaults): those are
    // weights here, and no stage asks the request for them.
    for (ValueInfoProto input : graph.getInputList()) {
      definedNames.add(input.getName());
      if (!weightBytes.containsKey(input.getName())) {
        requestInputs.add(input);
        requestInputNames.add(input.getName());
      }
    }
    graph.getOutputList().forEach(v -> outputNames.add(v.getName()));
    graph.getValueInfoList().forEach(this::declare);
    requestInputs.forEach(this::declare);
    graph.getOutputList().forEach(this::declare);

    List<Set<String>> allReads = new ArrayList<>();
    Map<String, Integer> producedBy = new HashMap<>();
    for (int i = 0; i < computing.size(); i++) {
      NodeProto node = computing.get(i);
      allReads.add(Collections.unmodifiableSet(NodeReads.of(node)));
      for (String output : node.getOutputList()) {
        if (!output.isEmpty()) {
          define(output, describe(node, i));
          producedBy.put(output, i);
        }
      }
    }
    checkEveryNameIsDefined(computing, allReads, producedBy);

    List<Integer> order = topologicalOrder(computing, allReads, producedBy, needed(graph, allReads, producedBy));
    this.units = new ArrayList<>(order.size());
    this.reads = new ArrayList<>(order.size());
    this.innerBytes = new long[order.size()];
    for (int u = 0; u < order.size(); u++) {
      NodeProto node = computing.get(order.get(u));
      units.add(node);
      reads.add(allReads.get(order.get(u)));
      innerBytes[u] = NodeReads.innerWeightBytes(node);
      for (String output : node.getOutputList()) {
        if (!output.isEmpty()) {
          producer.put(output, u);
        }
      }
      for (String name : reads.get(u)) {
        lastReader.put(name, u);
      }
    }
  }

  // Records initializers and Constant nodes with their sizes; returns the other nodes, in file order.
  private List<NodeProto> collectConstants(GraphProto graph) {
    for (TensorProto t : graph.getInitializerList()) {
      weightBytes.put(t.getName(), TensorBytes.of(t));
    }
    for (SparseTensorProto t : graph.getSparseInitializerList()) {
      weightBytes.put(t.getValues().getName(), TensorBytes.of(t));
    }
    definedNames.addAll(weightBytes.keySet());
    List<NodeProto> computing = new ArrayList<>();
    for (NodeProto node : graph.getNodeList()) {
      if (isConstant(node)) {
        define(node.getOutput(0), "Constant node " + describe(node, -1));
        weightBytes.put(node.getOutput(0), TensorBytes.ofConstant(node));
      } else {
        computing.add(node);
      }
    }
    return computing;
  }

  private void checkEveryNameIsDefined(
      List<NodeProto> computing, List<Set<String>> allReads, Map<String, Integer> producedBy) {
    for (int i = 0; i < computing.size(); i++) {
      for (String name : allReads.get(i)) {
        if (!producedBy.containsKey(name) && !isWeight(name) && !requestInputNames.contains(name)) {
          throw new PartitionException(
              "node " + describe(computing.get(i), i) + " reads '" + name
                  + "', which no node, graph input or initializer provides");
        }
      }
    }
    for (String name : outputNames) {
      if (!producedBy.containsKey(name) && !isWeight(name) && !requestInputNames.contains(name)) {
        throw new PartitionException("graph output '" + name + "' is produced by nothing in the graph");
      }
    }
  }

  /** Analyses a model's top-level graph; fails on graphs no runtime could run (cycles, dangling names). */
  static ModelGraph of(ModelProto model) {
    if (!model.hasGraph()) {
      throw new PartitionException("the model has no graph");
    }
    return new ModelGraph(model);
  }

  /** A Constant node of the default domain: no inputs, one output. */
  static boolean isConstant(NodeProto node) {
    return node.getOpType().equals("Constant")
        && (node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx"))
        && node.getInputCount() == 0
        && node.getOutputCount() == 1;
  }

  ModelProto model() {
    return model;
  }

  /** Number of units: nodes a cut can fall between. */
  int size() {
    return units.size();
  }

  NodeProto unit(int u) {
    return units.get(u);
  }

  /** Names unit {@code u} reads, outer-scope names of its subgraphs included. */
  Set<String> reads(int u) {
    return reads.get(u);
  }

  /** The unit producing this tensor, or -1 for graph inputs, constants and unknown names. */
  int producer(String name) {
    return producer.getOrDefault(name, -1);
  }

  /** The last unit reading this name, or -1 when no unit reads it. */
  int lastReader(String name) {
    return lastReader.getOrDefault(name, -1);
  }

  boolean isWeight(String name) {
    return weightBytes.containsKey(name);
  }

  long weightBytes(String name) {
    return weightBytes.getOrDefault(name, 0L);
  }

  /** Graph inputs a request must supply, in declaration order. */
  List<ValueInfoProto> requestInputs() {
    return Collections.unmodifiableList(requestInputs);
  }

  List<ValueInfoProto> outputs() {
    return model.getGraph().getOutputList();
  }

  boolean isOutput(String name) {
    return outputNames.contains(name);
  }

  /** The type the model file declares for a value (value_info, graph inputs and outputs), if any. */
  Optional<TypeProto> declaredType(String name) {
    ValueInfoProto v = declared.get(name);
    return v == null ? Optional.empty() : Optional.of(v.getType());
  }

  /** Bytes of every constant in the model file, read by a node or not, and of its nodes' subgraphs. */
  long totalWeightBytes() {
    long total = 0;
    for (long bytes : weightBytes.values()) {
      total += bytes;
    }
    for (long bytes : innerBytes) {
      total += bytes;
    }
    return total;
  }

  /** Bytes of the weights unit {@code u} needs on its own: what it reads and what its subgraphs hold. */
  long ownWeightBytes(int u) {
    long total = innerBytes[u];
    for (String name : reads.get(u)) {
      total += weightBytes(name);
    }
    return total;
  }

  /**
   * Each unit's weight bytes when every constant is charged to its first reader only: these add
   * up to the model's weights, which is what the cut balances.
   */
  long[] firstUseWeightBytes() {
    long[] bytes = new long[units.size()];
    Set<String> seen = new HashSet<>();
    for (int u = 0; u < units.size(); u++) {
      bytes[u] = innerBytes[u];
      for (String name : reads.get(u)) {
        if (isWeight(name) && seen.add(name)) {
          bytes[u] += weightBytes(name);
        }
      }
    }
    return bytes;
  }

  /** The constants units {@code [from, to)} read, in the order they are first read. */
  Set<String> weightsRead(int from, int to) {
    Set<String> names = new LinkedHashSet<>();
    for (int u = from; u < to; u++) {
      for (String name : reads.get(u)) {
        if (isWeight(name)) {
          names.add(name);
        }
      }
    }
    return names;
  }

  /**
   * Graph outputs that no unit produces (a constant, or an input passed straight through): the
   * last stage provides them.
   */
  List<String> outputsWithoutProducer() {
    List<String> names = new ArrayList<>();
    for (ValueInfoProto output : outputs()) {
      if (producer(output.getName()) < 0) {
        names.add(output.getName());
      }
    }
    return names;
  }

  /** Weight bytes of a stage holding units {@code [from, to)}: every constant it reads, once. */
  long stageWeightBytes(int from, int to, boolean last) {
    long total = 0;
    Set<String> weights = weightsRead(from, to);
    if (last) {
      for (String name : outputsWithoutProducer()) {
        if (isWeight(name)) {
          weights.add(name);
        }
      }
    }
    for (String name : weights) {
      total += weightBytes(name);
    }
    for (int u = from; u < to; u++) {
      total += innerBytes[u];
    }
    return total;
  }

  /** A node as error messages name it: its name, else its op type and position. */
  String describe(int u) {
    return describe(units.get(u), u);
  }

  private static String describe(NodeProto node, int index) {
    if (!node.getName().isEmpty()) {
      return "'" + node.getName() + "' (" + node.getOpType() + ")";
    }
    return node.getOpType() + (index >= 0 ? " #" + index : "") + " producing " + node.getOutputList();
  }

  // ONNX graphs assign each name once; a second definition would make reads ambiguous.
  private void define(String name, String what) {
    if (!definedNames.add(name)) {
      throw new PartitionException("'" + name + "' is defined twice (again by " + what + ")");
    }
  }

  private void declare(ValueInfoProto value) {
    if (isTyped(value)) {
      declared.put(value.getName(), value);
    }
  }

  /** True when a declaration carries a type: a tensor of a known element type, or another kind of value. */
  static boolean isTyped(ValueInfoProto value) {
    TypeProto type = value.getType();
    return value.hasType()
        && switch (type.getValueCase()) {
          case TENSOR_TYPE -> type.getTensorType().getElemType() != 0;
          case VALUE_NOT_SET -> false;
          default -> true;
        };
  }

  // The nodes some graph output depends on, by index into computing.
  private static boolean[] needed(
      GraphProto graph, List<Set<String>> reads, Map<String, Integer> producedBy) {
    boolean[] needed = new boolean[reads.size()];
    Deque<String> pending = new ArrayDeque<>();
    graph.getOutputList().forEach(v -> pending.add(v.getName()));
    while (!pending.isEmpty()) {
      Integer node = producedBy.get(pending.poll());
      if (node != null && !needed[node]) {
        needed[node] = true;
        pending.addAll(reads.get(node));
      }
    }
    return needed;
  }

  // Kahn's algorithm taking the earliest ready node in file order: a graph already sorted (as
  // ONNX requires) keeps its order, so cuts fall where the exporter's layers end.
  private static List<Integer> topologicalOrder(
      List<NodeProto> nodes, List<Set<String>> reads, Map<String, Integer> producedBy, boolean[] needed) {
    int[] waiting = new int[nodes.size()];
    List<List<Integer>> readers = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      readers.add(new ArrayList<>());
    }
    for (int i = 0; i < nodes.size(); i++) {
      if (!needed[i]) {
        continue;
      }
      Set<Integer> from = new HashSet<>();
      for (String name : reads.get(i)) {
        Integer p = producedBy.get(name);
        if (p != null && from.add(p)) {
          readers.get(p).add(i);
          waiting[i]++;
        }
      }
    }
    PriorityQueue<Integer> ready = new PriorityQueue<>();
    int count = 0;
    for (int i = 0; i < nodes.size(); i++) {
      if (needed[i]) {
        count++;
        if (waiting[i] == 0) {
          ready.add(i);
        }
      }
    }
    List<Integer> order = new ArrayList<>(count);
    while (!ready.isEmpty()) {
      int i = ready.poll();
      order.add(i);
      for (int reader : readers.get(i)) {
        if (--waiting[reader] == 0) {
          ready.add(reader);
        }
      }
    }
    if (order.size() != count) {
      throw new PartitionException("the graph has a cycle: " + (count - order.size()) + " nodes wait on each other");
    }
    return order;
  }
}
