package io.rigserve.serving.partition;

import io.rigserve.proto.onnx.NodeProto;
import io.rigserve.proto.onnx.TypeProto;
import io.rigserve.serving.onnx.OnnxElementTypes;
import io.rigserve.serving.runtime.ModelLoadException;
import io.rigserve.sharding.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The tensors live at each cut position: produced before it and read after it. Position {@code p}
 * (1..units-1) cuts between unit {@code p-1} and unit {@code p}. Graph inputs are not counted:
 * every stage takes those from the request. Constants are not counted: they travel with their
 * readers.
 */
final class Crossings {

  /**
   * What a tensor of unknown size is taken to weigh: a middling activation, so that a cut through
   * known small tensors wins over one through unknown ones, and unknown ones compare by count.
   */
  static final long UNKNOWN_TENSOR_BYTES = 64 * 1024;

  private static final long MAX_TENSOR_BYTES = 1L << 40;

  private final ModelGraph graph;
  private final int[] count;
  private final long[] bytes;
  private final int[] uncarriable;

  private Crossings(ModelGraph graph, Map<String, Long> estimatedBytes, Set<String> uncarriableTensors) {
    this.graph = graph;
    int n = graph.size();
    // Difference arrays: a tensor live over positions a+1..b adds at a+1 and subtracts at b+1.
    int[] countDelta = new int[n + 2];
    long[] bytesDelta = new long[n + 2];
    int[] blockedDelta = new int[n + 2];
    for (String name : candidates(graph)) {
      int from = graph.producer(name) + 1;
      int to = graph.lastReader(name) + 1;
      // Capped so that sums of absurd shapes cannot overflow.
      long size = Math.min(estimatedBytes.getOrDefault(name, UNKNOWN_TENSOR_BYTES), MAX_TENSOR_BYTES);
      countDelta[from]++;
      countDelta[to]--;
      bytesDelta[from] += size;
      bytesDelta[to] -= size;
      if (uncarriableTensors.contains(name)) {
        blockedDelta[from]++;
        blockedDelta[to]--;
      }
    }
    count = new int[n + 1];
    bytes = new long[n + 1];
    uncarriable = new int[n + 1];
    int c = 0;
    long b = 0;
    int blocked = 0;
    for (int p = 0; p <= n; p++) {
      c += countDelta[p];
      b += bytesDelta[p];
      blocked += blockedDelta[p];
      count[p] = c;
      bytes[p] = b;
      uncarriable[p] = blocked;
    }
  }

  /**
   * The crossings of a model's cut positions, sized from its declarations, else from ONNX Runtime's
   * inference on the whole model (one load without weights, only if some size is not declared).
   * Tensors that are not tensors of a protocol datatype and known rank cannot cross.
   *
   * @throws PartitionException when ONNX Runtime refuses the model
   */
  static Crossings estimate(ModelGraph graph, InferredTypes inferred) {
    Map<String, Long> sizes = new HashMap<>();
    Set<String> uncarriable = new HashSet<>();
    Set<String> unsized = new LinkedHashSet<>();
    for (String name : candidates(graph)) {
      Optional<TypeProto> declared = graph.declaredType(name);
      if (declared.isEmpty()) {
        unsized.add(name);
        continue;
      }
      TypeProto type = declared.get();
      if (!type.hasTensorType() || OnnxElementTypes.fromOnnxCode(type.getTensorType().getElemType()).isEmpty()) {
        uncarriable.add(name);
        continue;
      }
      OptionalLong size = TensorBytes.estimate(type);
      if (size.isPresent()) {
        sizes.put(name, size.getAsLong());
      } else {
        unsized.add(name);
      }
    }
    if (!unsized.isEmpty()) {
      Map<String, TensorSpec> learned;
      try {
        learned = inferred.infer(graph.model(), unsized);
      } catch (ModelLoadException e) {
        throw new PartitionException(
            "ONNX Runtime cannot load the model to learn the types of its tensors: " + e.getMessage(), e);
      }
      for (String name : unsized) {
        TensorSpec spec = learned.get(name);
        if (spec != null) {
          sizes.put(name, TensorBytes.estimate(OnnxElementTypes.toOnnxCode(spec.datatype()), spec.shape()));
        } else {
          uncarriable.add(name); // not a tensor of a protocol datatype, or of unknown rank
        }
      }
    }
    return new Crossings(graph, sizes, uncarriable);
  }

  /** Tensors that can cross some cut: produced by a unit and read by a later one. */
  static Set<String> candidates(ModelGraph graph) {
    Set<String> names = new LinkedHashSet<>();
    for (int u = 0; u < graph.size(); u++) {
      for (String output : graph.unit(u).getOutputList()) {
        if (!output.isEmpty() && graph.lastReader(output) > u) {
          names.add(output);
        }
      }
    }
    return names;
  }

  /** Number of tensors crossing position {@code p}. */
  int count(int p) {
    return count[p];
  }

  /** Estimated bytes (one sample) crossing position {@code p}. */
  long bytes(int p) {
    return bytes[p];
  }

  /** False when a tensor crossing {@code p} cannot travel between rigs (a sequence, a complex number, ...). */
  boolean allowed(int p) {
    return uncarriable[p] == 0;
  }

  /** The tensors crossing position {@code p}, in the order they are produced. */
  List<String> at(int p) {
    List<String> names = new ArrayList<>();
    for (int u = 0; u < p; u++) {
      NodeProto node = graph.unit(u);
      for (String output : node.getOutputList()) {
        if (!output.isEmpty() && graph.lastReader(output) >= p) {
          names.add(output);
        }
      }
    }
    return names;
  }
}
