package io.rigserve.serving.partition;

import io.rigserve.proto.onnx.AttributeProto;
import io.rigserve.proto.onnx.GraphProto;
import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.proto.onnx.NodeProto;
import io.rigserve.proto.onnx.TensorProto;
import io.rigserve.proto.onnx.TensorShapeProto;
import io.rigserve.proto.onnx.TypeProto;
import io.rigserve.proto.onnx.ValueInfoProto;
import io.rigserve.serving.onnx.OnnxElementTypes;
import java.util.HashSet;
import java.util.Set;

/**
 * A copy of a model for type inference only: its large constants become graph inputs of the same
 * type and shape. ONNX Runtime then infers every type and shape without holding the weights (a
 * stage of a large model loads in milliseconds and little memory) and without their external
 * data files. Small constants stay, since shape computations read their values (the target shape
 * of a Reshape, the axes of a Squeeze).
 */
final class WeightlessCopy {

  /** Constants above this size are weights; shape-like tensors are a few int64s. */
  static final long KEEP_BELOW_BYTES = 4096;

  private WeightlessCopy() {}

  static ModelProto of(ModelProto model) {
    GraphProto graph = model.getGraph();
    Set<String> declaredInputs = new HashSet<>();
    graph.getInputList().forEach(v -> declaredInputs.add(v.getName()));
    GraphProto.Builder copy = graph.toBuilder().clearInitializer().clearNode();
    for (TensorProto t : graph.getInitializerList()) {
      if (!isWeight(t)) {
        copy.addInitializer(t);
      } else if (!declaredInputs.contains(t.getName())) {
        copy.addInput(asInput(t));
      }
    }
    for (NodeProto node : graph.getNodeList()) {
      TensorProto value = constantValue(node);
      if (value != null && isWeight(value)) {
        copy.addInput(asInput(value.toBuilder().setName(node.getOutput(0)).build()));
      } else {
        copy.addNode(node);
      }
    }
    return model.toBuilder().setGraph(copy).build();
  }

  // Only types a request can carry can become inputs: rigserve's runtime refuses other inputs.
  private static boolean isWeight(TensorProto t) {
    boolean large =
        t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || TensorBytes.of(t) >= KEEP_BELOW_BYTES;
    return large && OnnxElementTypes.fromOnnxCode(t.getDataType()).isPresent();
  }

  private static TensorProto constantValue(NodeProto node) {
    if (!ModelGraph.isConstant(node)) {
      return null;
    }
    for (AttributeProto a : node.getAttributeList()) {
      if (a.getName().equals("value") && a.hasT()) {
        return a.getT();
      }
    }
    return null;
  }

  private static ValueInfoProto asInput(TensorProto t) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : t.getDimsList()) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder()
        .setName(t.getName())
        .setType(
            TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(t.getDataType()).setShape(shape)))
        .build();
  }
}
