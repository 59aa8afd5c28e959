package io.rigserve.serving.partition;

import io.rigserve.proto.onnx.AttributeProto;
import io.rigserve.proto.onnx.GraphProto;
import io.rigserve.proto.onnx.NodeProto;
import io.rigserve.proto.onnx.SparseTensorProto;
import io.rigserve.proto.onnx.TensorProto;
import io.rigserve.proto.onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a node reads from the graph around it. A node with subgraphs (If, Loop, Scan) reads its
 * declared inputs and also every name its subgraphs use without defining (outer-scope values):
 * for liveness and for the stage's inputs those count as inputs of the node.
 */
final class NodeReads {

  private NodeReads() {}

  /** The names a node reads, declared inputs first, each once; absent optional inputs ("") left out. */
  static Set<String> of(NodeProto node) {
    Set<String> reads = new LinkedHashSet<>();
    for (String input : node.getInputList()) {
      if (!input.isEmpty()) {
        reads.add(input);
      }
    }
    for (GraphProto subgraph : subgraphs(node)) {
      reads.addAll(outerNames(subgraph));
    }
    return reads;
  }

  /** The graphs held in a node's attributes (If branches, Loop and Scan bodies, ...). */
  static List<GraphProto> subgraphs(NodeProto node) {
    List<GraphProto> graphs = new ArrayList<>();
    for (AttributeProto a : node.getAttributeList()) {
      if (a.hasG()) {
        graphs.add(a.getG());
      }
      graphs.addAll(a.getGraphsList());
    }
    return graphs;
  }

  /**
   * Bytes of the constants inside a node's subgraphs (their initializers and Constant nodes, at
   * any depth): weights the node carries wherever it goes.
   */
  static long innerWeightBytes(NodeProto node) {
    long total = 0;
    for (GraphProto g : subgraphs(node)) {
      for (TensorProto t : g.getInitializerList()) {
        total += TensorBytes.of(t);
      }
      for (SparseTensorProto t : g.getSparseInitializerList()) {
        total += TensorBytes.of(t);
      }
      for (NodeProto inner : g.getNodeList()) {
        total += ModelGraph.isConstant(inner) ? TensorBytes.ofConstant(inner) : innerWeightBytes(inner);
      }
    }
    return total;
  }

  // Names used in a graph (by its nodes, nested graphs and outputs) that it does not define.
  private static Set<String> outerNames(GraphProto graph) {
    Set<String> defined = new HashSet<>();
    graph.getInputList().forEach(v -> defined.add(v.getName()));
    graph.getInitializerList().forEach(t -> defined.add(t.getName()));
    graph.getSparseInitializerList().forEach(t -> defined.add(t.getValues().getName()));
    graph.getNodeList().forEach(n -> defined.addAll(n.getOutputList()));
    Set<String> outer = new LinkedHashSet<>();
    for (NodeProto node : graph.getNodeList()) {
      for (String name : of(node)) {
        if (!defined.contains(name)) {
          outer.add(name);
        }
      }
    }
    for (ValueInfoProto output : graph.getOutputList()) {
      if (!defined.contains(output.getName())) {
        outer.add(output.getName());
      }
    }
    return outer;
  }
}
