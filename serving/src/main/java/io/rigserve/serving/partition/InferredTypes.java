package io.rigserve.serving.partition;

import io.rigserve.proto.onnx.GraphProto;
import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.proto.onnx.NodeProto;
import io.rigserve.proto.onnx.TensorShapeProto;
import io.rigserve.proto.onnx.TypeProto;
import io.rigserve.proto.onnx.ValueInfoProto;
import io.rigserve.serving.onnx.OnnxElementTypes;
import io.rigserve.serving.runtime.ModelLoadException;
import io.rigserve.serving.runtime.OnnxModel;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.sharding.tensor.TensorSpec;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Learns the types of a model's tensors from ONNX Runtime: the tensors are declared as graph
 * outputs by name only, ORT infers their types when it loads the model, and the session's output
 * info reports them. Real exports rarely carry value_info, so this is how the partitioner types
 * the tensors it cuts. Loads a {@link WeightlessCopy}, so it costs neither the weights' memory nor
 * their files.
 */
final class InferredTypes {

  private static final String RANK_PROBE_PREFIX = "rigserve_rank_probe_";

  private final OnnxRuntime runtime;

  InferredTypes(OnnxRuntime runtime) {
    this.runtime = runtime;
  }

  /**
   * The types of the named tensors of this model, for those that are tensors of a protocol
   * datatype and known rank; the others (sequences, complex numbers, tensors whose rank ORT cannot
   * infer) are absent from the answer, which is how the caller learns that they cannot travel
   * between rigs: a stage input must declare its rank for rigserve's runtime to accept it.
   *
   * @throws ModelLoadException when ONNX Runtime refuses the model, with its reason
   */
  Map<String, TensorSpec> infer(ModelProto model, Set<String> tensors) {
    Map<String, TensorSpec> types = outputTypes(model, tensors, Map.of());
    // ORT reports an unknown rank as rank 0, like a scalar's. Shape(t) tells them apart: its
    // inferred shape is [0] for a scalar and unknown when t's rank is.
    Map<String, String> shapeOf = new LinkedHashMap<>();
    for (TensorSpec spec : types.values()) {
      if (spec.rank() == 0) {
        shapeOf.put(spec.name(), RANK_PROBE_PREFIX + shapeOf.size() + "_" + spec.name());
      }
    }
    if (!shapeOf.isEmpty()) {
      Map<String, TensorSpec> shapes = outputTypes(model, Set.copyOf(shapeOf.values()), shapeOf);
      shapeOf.forEach(
          (tensor, shape) -> {
            TensorSpec s = shapes.get(shape);
            if (s == null || s.rank() != 1 || s.shape()[0] != 0) {
              types.remove(tensor);
            }
          });
    }
    return types;
  }

  // Loads the model with the tensors as extra outputs (after adding a Shape node for each entry of
  // shapeNodes: tensor -> output name) and reads their types from the session.
  private Map<String, TensorSpec> outputTypes(
      ModelProto model, Set<String> tensors, Map<String, String> shapeNodes) {
    GraphProto.Builder graph = model.getGraph().toBuilder();
    shapeNodes.forEach(
        (tensor, output) ->
            graph.addNode(NodeProto.newBuilder().setName(output).setOpType("Shape").addInput(tensor).addOutput(output)));
    Set<String> outputs = new HashSet<>();
    graph.getOutputList().forEach(v -> outputs.add(v.getName()));
    for (String name : tensors) {
      if (outputs.add(name)) {
        graph.addOutput(ValueInfoProto.newBuilder().setName(name));
      }
    }
    ModelProto probe = WeightlessCopy.of(model.toBuilder().setGraph(graph).build());
    Map<String, TensorSpec> types = new HashMap<>();
    try (OnnxModel loaded = runtime.load(probe.toByteArray())) {
      for (TensorSpec spec : loaded.outputs()) {
        if (tensors.contains(spec.name())) {
          types.put(spec.name(), spec);
        }
      }
    }
    return types;
  }

  /** A declaration of a tensor of this spec; dynamic dimensions are left unknown. */
  static TypeProto typeOf(TensorSpec spec) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : spec.shape()) {
      TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
      if (d >= 0) {
        dim.setDimValue(d);
      }
      shape.addDim(dim);
    }
    return TypeProto.newBuilder()
        .setTensorType(
            TypeProto.Tensor.newBuilder()
                .setElemType(OnnxElementTypes.toOnnxCode(spec.datatype()))
                .setShape(shape))
        .build();
  }
}
