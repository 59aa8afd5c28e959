package io.rigserve.serving.partition;

import io.rigserve.proto.onnx.GraphProto;
import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.proto.onnx.NodeProto;
import io.rigserve.proto.onnx.SparseTensorProto;
import io.rigserve.proto.onnx.StringStringEntryProto;
import io.rigserve.proto.onnx.TensorProto;
import io.rigserve.proto.onnx.TypeProto;
import io.rigserve.proto.onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One stage cut from a model: a complete ONNX model holding units {@code [from, to)} with the
 * constants they read, taking graph inputs from the request and earlier stages' tensors by name,
 * and declaring as outputs what later stages read and the graph outputs it produces. It keeps the
 * model as a message, which shares the original's weights, so a draft stage can be type-checked
 * without serializing them.
 *
 * @param model the stage as an ONNX model: the original's IR version, opsets, functions and
 *     metadata around the stage's graph
 * @param described the stage's {@link StagePlan} but for its bytes, which {@link #plan()} adds
 */
record StageModel(ModelProto model, StagePlan described) {

  /** The stage as it is deployed: its model serialized. */
  StagePlan plan() {
    return described.withOnnx(model.toByteArray());
  }

  /**
   * Builds stage {@code index} of {@code bounds}; each tensor is declared with its type from
   * {@code types} when known there, as the original declares it otherwise (outputs of unknown
   * type by name only).
   */
  static StageModel build(ModelGraph g, int[] bounds, int index, Map<String, TypeProto> types) {
    int from = bounds[index];
    int to = bounds[index + 1];
    boolean last = index == bounds.length - 2;
    GraphProto original = g.model().getGraph();

    Set<String> reads = new LinkedHashSet<>();
    Set<String> produced = new LinkedHashSet<>();
    for (int u = from; u < to; u++) {
      reads.addAll(g.reads(u));
      for (String output : g.unit(u).getOutputList()) {
        if (!output.isEmpty()) {
          produced.add(output);
        }
      }
    }
    Set<String> weights = g.weightsRead(from, to);
    List<String> tail = last ? g.outputsWithoutProducer() : List.of();
    for (String name : tail) {
      if (g.isWeight(name)) {
        weights.add(name);
      } else {
        reads.add(name); // a graph input passed straight through to the outputs
      }
    }

    List<String> requestInputs = new ArrayList<>();
    for (ValueInfoProto input : g.requestInputs()) {
      if (reads.contains(input.getName())) {
        requestInputs.add(input.getName());
      }
    }
    List<String> carriedInputs = new ArrayList<>();
    for (int u = 0; u < from; u++) {
      for (String output : g.unit(u).getOutputList()) {
        if (reads.contains(output)) {
          carriedInputs.add(output);
        }
      }
    }
    List<String> outputs = new ArrayList<>();
    List<String> modelOutputs = new ArrayList<>();
    for (String name : produced) {
      boolean graphOutput = g.isOutput(name);
      if (graphOutput || g.lastReader(name) >= to) {
        outputs.add(name);
      }
      if (graphOutput) {
        modelOutputs.add(name);
      }
    }
    outputs.addAll(tail);
    modelOutputs.addAll(tail);

    GraphProto.Builder graph =
        GraphProto.newBuilder().setName(original.getName() + "_stage" + index);
    for (ValueInfoProto input : g.requestInputs()) {
      if (requestInputs.contains(input.getName())) {
        graph.addInput(input);
      }
    }
    for (String name : carriedInputs) {
      TypeProto type = types.get(name);
      if (type == null) {
        throw new IllegalStateException("no type learned for '" + name + "' before stage " + index);
      }
      graph.addInput(ValueInfoProto.newBuilder().setName(name).setType(type));
    }
    for (String name : outputs) {
      graph.addOutput(outputDeclaration(g, name, types));
    }
    for (NodeProto node : original.getNodeList()) {
      if (ModelGraph.isConstant(node) && weights.contains(node.getOutput(0))) {
        graph.addNode(node);
      }
    }
    for (int u = from; u < to; u++) {
      graph.addNode(g.unit(u));
    }
    Set<String> externalFiles = new LinkedHashSet<>();
    for (TensorProto t : original.getInitializerList()) {
      if (weights.contains(t.getName())) {
        graph.addInitializer(t);
        externalFile(t).ifPresent(externalFiles::add);
      }
    }
    for (SparseTensorProto t : original.getSparseInitializerList()) {
      if (weights.contains(t.getValues().getName())) {
        graph.addSparseInitializer(t);
      }
    }
    Set<String> declared = new HashSet<>(outputs);
    for (ValueInfoProto v : original.getValueInfoList()) {
      if (produced.contains(v.getName()) && !declared.contains(v.getName())) {
        graph.addValueInfo(v);
      }
    }

    ModelProto model =
        g.model().toBuilder()
            .setGraph(graph)
            .clearTrainingInfo() // training graphs refer to weights a stage may not hold
            .build();
    return new StageModel(model, new StagePlan(index, new byte[0], requestInputs, carriedInputs, outputs, modelOutputs,
        g.stageWeightBytes(from, to, last), List.copyOf(externalFiles)));
  }

  // Graph outputs keep the original's declaration (symbolic dimension names, doc strings) when it
  // has a type; other outputs are typed once their type is known.
  private static ValueInfoProto outputDeclaration(ModelGraph g, String name, Map<String, TypeProto> types) {
    for (ValueInfoProto output : g.outputs()) {
      if (output.getName().equals(name) && ModelGraph.isTyped(output)) {
        return output;
      }
    }
    ValueInfoProto.Builder v = ValueInfoProto.newBuilder().setName(name);
    TypeProto type = types.get(name);
    if (type != null) {
      v.setType(type);
    }
    return v.build();
  }

  /** The data file holding an initializer's data, if it is stored outside the model. */
  static Optional<String> externalFile(TensorProto t) {
    if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
      return Optional.empty();
    }
    for (StringStringEntryProto entry : t.getExternalDataList()) {
      if (entry.getKey().equals("location")) {
        return Optional.of(entry.getValue());
      }
    }
    return Optional.empty();
  }
}
