package io.rigserve.serving.partition;

import com.google.protobuf.InvalidProtocolBufferException;
import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.proto.onnx.TypeProto;
import io.rigserve.proto.onnx.ValueInfoProto;
import io.rigserve.serving.runtime.ModelLoadException;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.sharding.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cuts an ONNX model into K pipeline stages along a topological order of its top-level nodes.
 *
 * <p>Where the cuts fall: stages balance weight bytes, and within {@link
 * PartitionSettings#balanceTolerance()} of the balanced position a cut takes the position where
 * the fewest, smallest tensors cross (see {@link CutChoice} for the exact rule and its bound).
 * Tensor sizes come from the model's declarations when it has them, otherwise from ONNX Runtime's
 * shape inference on the whole model (see {@link InferredTypes}); a tensor of unknown size counts
 * as {@value Crossings#UNKNOWN_TENSOR_BYTES} bytes.
 *
 * <p>What a stage is: a complete ONNX model with the original's IR version, opsets, functions and
 * metadata; the nodes of its range plus a copy of every Constant node and initializer they read
 * (shared ones are copied into each stage that reads them); nodes with subgraphs (If, Loop,
 * Scan) whole, their outer-scope reads counted as inputs. Inputs and outputs follow {@link
 * StagePlan}: original inputs come from the request, cut tensors from earlier stages by name.
 *
 * <p>Types of cut tensors: from value_info and graph declarations when present; otherwise each
 * stage is loaded in ONNX Runtime with those outputs declared by name only, and the types the
 * session reports are written into the outputs and into later stages' inputs (dynamic dimensions
 * unknown). So every stage of a plan has loaded in ONNX Runtime (without its weights).
 *
 * <p>Loading is blocking work: call this on the blocking dispatcher.
 */
public final class OnnxPartitioner {

  private final InferredTypes inferred;
  private final PartitionSettings settings;

  public OnnxPartitioner(OnnxRuntime runtime) {
    this(runtime, PartitionSettings.defaults());
  }

  public OnnxPartitioner(OnnxRuntime runtime, PartitionSettings settings) {
    this.inferred = new InferredTypes(runtime);
    this.settings = settings;
  }

  public PartitionSettings settings() {
    return settings;
  }

  /** As {@link #partition(ModelProto, int)}, from a model file's bytes. */
  public PartitionPlan partition(byte[] model, int stages) {
    return partition(parse(model), stages);
  }

  /**
   * Cuts the model into {@code stages} stages; 1 returns the model whole.
   *
   * @throws PartitionException when the model cannot be cut into that many stages
   */
  public PartitionPlan partition(ModelProto model, int stages) {
    if (stages < 1) {
      throw new PartitionException("a model is cut into at least 1 stage, asked for " + stages);
    }
    ModelGraph graph = ModelGraph.of(model);
    if (stages == 1) {
      return whole(graph);
    }
    if (stages > graph.size()) {
      throw new PartitionException(
          "a graph of " + graph.size() + " nodes (not counting Constant nodes, which travel with their"
              + " readers, nor nodes no output depends on) cannot be cut into " + stages + " stages");
    }
    int[] bounds =
        CutChoice.choose(graph.firstUseWeightBytes(), Crossings.estimate(graph, inferred), stages, settings.balanceTolerance());
    return build(graph, bounds);
  }

  /** As {@link #smallestFitting(ModelProto, long)}, from a model file's bytes. */
  public int smallestFitting(byte[] model, long budgetBytes) {
    return smallestFitting(parse(model), budgetBytes);
  }

  /**
   * The smallest K for which every stage fits in {@code budgetBytes} of memory once loaded
   * ({@link PartitionSettings#memoryFor}).
   *
   * @throws PartitionException naming the node when one node's weights alone exceed the budget
   */
  public int smallestFitting(ModelProto model, long budgetBytes) {
    return fit(ModelGraph.of(model), budgetBytes).length - 1;
  }

  /** The plan of {@link #smallestFitting(ModelProto, long)} stages. */
  public PartitionPlan partitionToFit(ModelProto model, long budgetBytes) {
    ModelGraph graph = ModelGraph.of(model);
    int[] bounds = fit(graph, budgetBytes);
    return bounds.length == 2 ? whole(graph) : build(graph, bounds);
  }

  /** As {@link #partitionToFit(ModelProto, long)}, from a model file's bytes. */
  public PartitionPlan partitionToFit(byte[] model, long budgetBytes) {
    return partitionToFit(parse(model), budgetBytes);
  }

  private static ModelProto parse(byte[] model) {
    try {
      return ModelProto.parseFrom(model);
    } catch (InvalidProtocolBufferException e) {
      throw new PartitionException("not an ONNX model: " + e.getMessage(), e);
    }
  }

  // The bounds of the smallest fitting K ({0, units} for the whole model).
  private int[] fit(ModelGraph graph, long budgetBytes) {
    if (settings.memoryFor(0) > budgetBytes) {
      throw new PartitionException(
          "a memory budget of " + budgetBytes + " bytes does not cover the " + settings.memoryFor(0)
              + " bytes any loaded stage needs");
    }
    if (settings.memoryFor(graph.totalWeightBytes()) <= budgetBytes) {
      return new int[] {0, graph.size()};
    }
    for (int u = 0; u < graph.size(); u++) {
      long own = graph.ownWeightBytes(u);
      if (settings.memoryFor(own) > budgetBytes) {
        throw new PartitionException(
            "node " + graph.describe(u) + " alone holds " + own + " bytes of weights, "
                + settings.memoryFor(own) + " bytes once loaded: more than the budget of "
                + budgetBytes + " bytes, and a node is never split");
      }
    }
    long[] weights = graph.firstUseWeightBytes();
    long total = 0;
    for (long w : weights) {
      total += w;
    }
    // No K below total / (weights a stage can hold) can fit; start there.
    long capacity = Math.max(1, (long) ((budgetBytes - settings.memoryOverheadBytes()) / settings.memoryFactor()));
    int from = (int) Math.max(2, Math.min(graph.size(), total / capacity));
    Crossings crossings = Crossings.estimate(graph, inferred);
    PartitionException lastFailure = null;
    for (int k = from; k <= graph.size(); k++) {
      int[] bounds;
      try {
        bounds = CutChoice.choose(weights, crossings, k, settings.balanceTolerance());
      } catch (PartitionException e) {
        lastFailure = e;
        continue;
      }
      long largest = 0;
      for (int s = 0; s < k; s++) {
        largest = Math.max(largest, graph.stageWeightBytes(bounds[s], bounds[s + 1], s == k - 1));
      }
      if (settings.memoryFor(largest) <= budgetBytes) {
        return bounds;
      }
    }
    throw new PartitionException(
        "no cut of the model's " + graph.size() + " nodes fits stages in " + budgetBytes + " bytes"
            + (lastFailure != null ? ": " + lastFailure.getMessage() : ""),
        lastFailure);
  }

  private PartitionPlan whole(ModelGraph graph) {
    List<String> inputs = names(graph.requestInputs());
    List<String> outputs = names(graph.outputs());
    Set<String> files = new LinkedHashSet<>();
    graph.model().getGraph().getInitializerList().forEach(t -> StageModel.externalFile(t).ifPresent(files::add));
    StagePlan stage =
        new StagePlan(
            0,
            graph.model().toByteArray(),
            inputs,
            List.of(),
            outputs,
            outputs,
            graph.totalWeightBytes(),
            List.copyOf(files));
    return new PartitionPlan(List.of(stage), inputs, outputs);
  }

  // Builds the stages in order: a stage's cut tensors get their types when it loads, in time for
  // the stages that read them.
  private PartitionPlan build(ModelGraph graph, int[] bounds) {
    int k = bounds.length - 1;
    Map<String, TypeProto> types = new HashMap<>();
    for (String name : Crossings.candidates(graph)) {
      graph.declaredType(name).filter(OnnxPartitioner::declaresRank).ifPresent(t -> types.put(name, t));
    }
    List<StagePlan> stages = new ArrayList<>(k);
    for (int s = 0; s < k; s++) {
      StageModel draft = StageModel.build(graph, bounds, s, types);
      Map<String, TensorSpec> learned;
      try {
        learned = inferred.infer(draft.model(), new HashSet<>(draft.described().outputs()));
      } catch (ModelLoadException e) {
        throw new PartitionException(
            "stage " + s + " of " + k + " (nodes " + graph.describe(bounds[s]) + " to "
                + graph.describe(bounds[s + 1] - 1) + ") does not load in ONNX Runtime: " + e.getMessage(),
            e);
      }
      for (String name : draft.described().outputs()) {
        if (types.containsKey(name)) {
          continue;
        }
        TensorSpec spec = learned.get(name);
        if (spec != null) {
          types.put(name, InferredTypes.typeOf(spec));
        } else if (graph.lastReader(name) >= bounds[s + 1]) {
          throw new PartitionException(
              "tensor '" + name + "' crosses from stage " + s + " to a later stage, but ONNX Runtime"
                  + " does not know it as a tensor of known rank and of a datatype rigserve can carry"
                  + " between rigs");
        }
      }
      stages.add(StageModel.build(graph, bounds, s, types).plan());
    }
    return new PartitionPlan(stages, names(graph.requestInputs()), names(graph.outputs()));
  }

  // A declared tensor type without a shape leaves the rank open, which a stage input cannot.
  private static boolean declaresRank(TypeProto type) {
    return !type.hasTensorType() || type.getTensorType().hasShape();
  }

  private static List<String> names(List<ValueInfoProto> values) {
    return values.stream().map(ValueInfoProto::getName).toList();
  }
}
