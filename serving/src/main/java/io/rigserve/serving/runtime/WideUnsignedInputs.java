package io.rigserve.serving.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import io.rigserve.proto.onnx.AttributeProto;
import io.rigserve.proto.onnx.GraphProto;
import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.proto.onnx.NodeProto;
import io.rigserve.proto.onnx.OperatorSetIdProto;
import io.rigserve.proto.onnx.TensorProto;
import io.rigserve.proto.onnx.ValueInfoProto;
import io.rigserve.serving.onnx.OnnxGraphBuilder;
import io.rigserve.sharding.tensor.DataType;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * ONNX Runtime's Java API cannot create UINT16, UINT32 or UINT64 tensors (its OnnxJavaType has no
 * such members). A model with such inputs is loaded rewritten: the input is declared with the
 * signed type of the same width, and a Cast back to the unsigned type feeds the original
 * consumers. Same-width integer casts keep every bit, so clients see the model they sent.
 */
final class WideUnsignedInputs {

  private WideUnsignedInputs() {}

  static boolean needsRewrite(DataType datatype) {
    return datatype == DataType.UINT16 || datatype == DataType.UINT32 || datatype == DataType.UINT64;
  }

  /**
   * The model with each named input taken as signed and cast to its declared unsigned type.
   *
   * @throws ModelLoadException when the model cannot be parsed or is too old to rewrite
   */
  static byte[] rewrite(byte[] modelBytes, Set<String> inputNames) {
    ModelProto model;
    try {
      model = ModelProto.parseFrom(modelBytes);
    } catch (InvalidProtocolBufferException e) {
      throw new ModelLoadException("cannot parse the model to adapt its unsigned inputs: " + e.getMessage(), e);
    }
    // Cast's "to" became an integer attribute in opset 6.
    long opset = defaultOpset(model);
    if (opset < 6) {
      throw new ModelLoadException(
          "inputs " + inputNames + " are unsigned 16/32/64-bit integers, which rigserve passes"
              + " through a Cast; that needs opset 6 or later, the model imports opset " + opset);
    }
    GraphProto graph = model.getGraph();
    Set<String> used = namesIn(graph);
    Map<String, String> renamed = new HashMap<>();
    GraphProto.Builder rewritten = graph.toBuilder().clearInput().clearNode().clearOutput();

    for (ValueInfoProto input : graph.getInputList()) {
      if (!inputNames.contains(input.getName())) {
        rewritten.addInput(input);
        continue;
      }
      int unsigned = input.getType().getTensorType().getElemType();
      String internal = unique(input.getName() + "_unsigned", used);
      renamed.put(input.getName(), internal);
      rewritten.addInput(withElementType(input, signedOf(unsigned)));
      rewritten.addNode(
          NodeProto.newBuilder()
              .setName(unique("rigserve_cast_" + input.getName(), used))
              .setOpType("Cast")
              .addInput(input.getName())
              .addOutput(internal)
              .addAttribute(OnnxGraphBuilder.intAttr("to", unsigned)));
    }
    for (NodeProto node : graph.getNodeList()) {
      rewritten.addNode(renameInputs(node, renamed));
    }
    for (ValueInfoProto output : graph.getOutputList()) {
      // An input passed straight through as an output now holds the signed value: declare it so;
      // the bits, which are all a client receives, are unchanged.
      if (renamed.containsKey(output.getName())) {
        rewritten.addOutput(
            withElementType(output, signedOf(output.getType().getTensorType().getElemType())));
      } else {
        rewritten.addOutput(output);
      }
    }
    return model.toBuilder().setGraph(rewritten).build().toByteArray();
  }

  private static long defaultOpset(ModelProto model) {
    for (OperatorSetIdProto opset : model.getOpsetImportList()) {
      if (opset.getDomain().isEmpty() || opset.getDomain().equals("ai.onnx")) {
        return opset.getVersion();
      }
    }
    return 1;
  }

  private static int signedOf(int unsignedElementType) {
    if (unsignedElementType == TensorProto.DataType.UINT16.getNumber()) {
      return TensorProto.DataType.INT16.getNumber();
    } else if (unsignedElementType == TensorProto.DataType.UINT32.getNumber()) {
      return TensorProto.DataType.INT32.getNumber();
    } else if (unsignedElementType == TensorProto.DataType.UINT64.getNumber()) {
      return TensorProto.DataType.INT64.getNumber();
    }
    throw new IllegalArgumentException("not a wide unsigned element type: " + unsignedElementType);
  }

  private static ValueInfoProto withElementType(ValueInfoProto value, int elementType) {
    ValueInfoProto.Builder b = value.toBuilder();
    b.getTypeBuilder().getTensorTypeBuilder().setElemType(elementType);
    return b.build();
  }

  // Subgraphs (If, Loop, Scan bodies) may read outer values by name: rename there too.
  private static NodeProto renameInputs(NodeProto node, Map<String, String> renamed) {
    NodeProto.Builder b = node.toBuilder();
    for (int i = 0; i < b.getInputCount(); i++) {
      String replacement = renamed.get(b.getInput(i));
      if (replacement != null) {
        b.setInput(i, replacement);
      }
    }
    for (int a = 0; a < b.getAttributeCount(); a++) {
      AttributeProto attribute = b.getAttribute(a);
      if (attribute.hasG() || attribute.getGraphsCount() > 0) {
        AttributeProto.Builder ab = attribute.toBuilder();
        if (attribute.hasG()) {
          ab.setG(renameInGraph(attribute.getG(), renamed));
        }
        for (int g = 0; g < attribute.getGraphsCount(); g++) {
          ab.setGraphs(g, renameInGraph(attribute.getGraphs(g), renamed));
        }
        b.setAttribute(a, ab);
      }
    }
    return b.build();
  }

  private static GraphProto renameInGraph(GraphProto graph, Map<String, String> renamed) {
    GraphProto.Builder b = graph.toBuilder().clearNode();
    for (NodeProto node : graph.getNodeList()) {
      b.addNode(renameInputs(node, renamed));
    }
    return b.build();
  }

  private static Set<String> namesIn(GraphProto graph) {
    Set<String> names = new HashSet<>();
    graph.getInputList().forEach(v -> names.add(v.getName()));
    graph.getOutputList().forEach(v -> names.add(v.getName()));
    graph.getValueInfoList().forEach(v -> names.add(v.getName()));
    graph.getInitializerList().forEach(t -> names.add(t.getName()));
    for (NodeProto node : graph.getNodeList()) {
      names.add(node.getName());
      names.addAll(node.getInputList());
      names.addAll(node.getOutputList());
      for (AttributeProto attribute : node.getAttributeList()) {
        if (attribute.hasG()) {
          names.addAll(namesIn(attribute.getG()));
        }
        attribute.getGraphsList().forEach(g -> names.addAll(namesIn(g)));
      }
    }
    return names;
  }

  private static String unique(String base, Set<String> used) {
    String name = base;
    for (int i = 1; used.contains(name); i++) {
      name = base + "_" + i;
    }
    used.add(name);
    return name;
  }
}
