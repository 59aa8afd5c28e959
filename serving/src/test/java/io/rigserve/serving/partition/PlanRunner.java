package io.rigserve.serving.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.serving.runtime.OnnxModel;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.sharding.tensor.TensorSpec;
import io.rigserve.sharding.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a plan as a router would: each stage in its own ONNX Runtime session, fed by name from the
 * request and from earlier stages' outputs, and checks on the way that every stage declares the
 * inputs and outputs its plan says.
 */
final class PlanRunner {

  private final OnnxRuntime runtime;
  private final Path folder;

  /** Loads stages from memory. */
  PlanRunner(OnnxRuntime runtime) {
    this(runtime, null);
  }

  /** Writes each stage into {@code folder} and loads it from there, so external data files resolve. */
  PlanRunner(OnnxRuntime runtime, Path folder) {
    this.runtime = runtime;
    this.folder = folder;
  }

  /** The model's outputs, by name, from running every stage in order. */
  Map<String, Tensor> run(PartitionPlan plan, List<Tensor> request) {
    Map<String, Tensor> pool = new LinkedHashMap<>();
    request.forEach(t -> pool.put(t.name(), t));
    Map<String, Tensor> answer = new LinkedHashMap<>();
    for (StagePlan stage : plan.stages()) {
      try (OnnxModel model = load(stage)) {
        assertEquals(Set.copyOf(stage.inputs()), names(model.inputs()), "inputs of " + stage);
        assertTrue(names(model.outputs()).containsAll(stage.outputs()), "outputs of " + stage);
        Tensor[] given =
            stage.inputs().stream()
                .map(name -> {
                  Tensor t = pool.get(name);
                  assertNotNull(t, name + " for " + stage + " is neither a request input nor an earlier output");
                  return t;
                })
                .toArray(Tensor[]::new);
        Tensor[] produced = model.run(given, stage.outputs().toArray(String[]::new));
        for (Tensor t : produced) {
          pool.put(t.name(), t);
          if (stage.modelOutputs().contains(t.name())) {
            answer.put(t.name(), t);
          }
        }
      }
    }
    assertEquals(Set.copyOf(plan.modelOutputs()), answer.keySet(), "the stages together answer every output");
    return answer;
  }

  /** The whole model's outputs, by name. */
  Map<String, Tensor> runWhole(byte[] model, List<Tensor> request) {
    Map<String, Tensor> answer = new LinkedHashMap<>();
    try (OnnxModel loaded = runtime.load(model)) {
      for (Tensor t : loaded.run(request.toArray(Tensor[]::new), null)) {
        answer.put(t.name(), t);
      }
    }
    return answer;
  }

  private OnnxModel load(StagePlan stage) {
    if (folder == null) {
      return runtime.load(stage.onnx());
    }
    try {
      Path file = folder.resolve("stage" + stage.index() + ".onnx");
      Files.write(file, stage.onnx());
      return runtime.load(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Set<String> names(List<TensorSpec> specs) {
    Set<String> names = new HashSet<>();
    specs.forEach(s -> names.add(s.name()));
    return names;
  }
}
