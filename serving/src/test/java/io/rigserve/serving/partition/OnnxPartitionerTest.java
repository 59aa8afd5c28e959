package io.rigserve.serving.partition;

import static io.rigserve.serving.testmodels.PartitionTestModels.values;
import static io.rigserve.serving.testmodels.TestTensors.fp32;
import static io.rigserve.serving.testmodels.TestTensors.int64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.serving.runtime.RuntimeSettings;
import io.rigserve.serving.testmodels.PartitionTestModels;
import io.rigserve.sharding.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every model, cut into 1, 2 and 3 stages, answers as the whole model does. */
class OnnxPartitionerTest {

  private static final OnnxRuntime RUNTIME = new OnnxRuntime(RuntimeSettings.defaults());

  private final OnnxPartitioner partitioner = new OnnxPartitioner(RUNTIME);
  private final PlanRunner runner = new PlanRunner(RUNTIME);

  record Case(String name, Supplier<ModelProto> model, List<List<Tensor>> requests) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> models() {
    long[] pair4 = {2, 4};
    return List.of(
        new Case("conv net", PartitionTestModels::convNet,
            List.of(List.of(fp32("input", new long[] {2, 3, 8, 8}, values(384, 100))))),
        new Case("recurrent net", PartitionTestModels::recurrentNet,
            List.of(List.of(fp32("input", new long[] {5, 2, 8}, values(80, 101))))),
        new Case("shared weights", PartitionTestModels::sharedWeights,
            List.of(List.of(fp32("x", new long[] {2, 8}, values(16, 102))))),
        new Case("if with outer-scope reads", PartitionTestModels::ifModel,
            List.of(
                List.of(fp32("x", pair4, 1f, 2f, 3f, 4f, 0.5f, 1f, 0.25f, 2f)),
                List.of(fp32("x", pair4, -1f, -2f, -3f, -4f, -0.5f, -1f, -0.25f, -2f)))),
        new Case("several inputs and outputs", PartitionTestModels::multiInputOutput,
            List.of(List.of(
                int64(PartitionTestModels.MULTI_TOKENS, pair4, 1, 0, 3, 7, 2, 5, 0, 1),
                fp32(PartitionTestModels.MULTI_FEATURES, new long[] {2, 6}, values(12, 103)),
                fp32(PartitionTestModels.MULTI_BIAS, new long[] {2, 3}, values(6, 104))))),
        new Case("model-local function", PartitionTestModels::withFunction,
            List.of(List.of(fp32("x", pair4, values(8, 105))))),
        new Case("narrow waist", PartitionTestModels::narrowWaist,
            List.of(List.of(fp32("x", new long[] {2, 64}, values(128, 106))))));
  }

  static Stream<Arguments> modelsAndStageCounts() {
    List<Arguments> args = new ArrayList<>();
    for (Case c : models()) {
      for (int k = 1; k <= 3; k++) {
        args.add(Arguments.of(c, k));
      }
    }
    return args.stream();
  }

  @ParameterizedTest(name = "{0} in {1} stages")
  @MethodSource("modelsAndStageCounts")
  void runningTheStagesInOrderGivesTheWholeModelsOutputs(Case c, int stages) {
    ModelProto model = c.model().get();
    PartitionPlan plan = partitioner.partition(model, stages);

    assertEquals(stages, plan.size());
    for (List<Tensor> request : c.requests()) {
      Outputs.assertSame(
          runner.runWhole(model.toByteArray(), request), runner.run(plan, request), c + " in " + stages);
    }
  }

  @ParameterizedTest(name = "{0} in {1} stages")
  @MethodSource("modelsAndStageCounts")
  void everyStageKeepsTheModelsIrVersionOpsetsAndFunctions(Case c, int stages) throws Exception {
    ModelProto model = c.model().get();
    PartitionPlan plan = partitioner.partition(model, stages);

    for (StagePlan stage : plan.stages()) {
      ModelProto cut = ModelProto.parseFrom(stage.onnx());
      assertEquals(model.getIrVersion(), cut.getIrVersion());
      assertEquals(model.getOpsetImportList(), cut.getOpsetImportList());
      assertEquals(model.getFunctionsList(), cut.getFunctionsList());
    }
    assertEquals(
        model.getGraph().getInputList().stream().map(v -> v.getName()).toList(), plan.modelInputs());
    assertEquals(
        model.getGraph().getOutputList().stream().map(v -> v.getName()).toList(), plan.modelOutputs());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void everyStageCountUpToOneNodePerStageGivesTheWholeModelsOutputs(Case c) {
    ModelProto model = c.model().get();
    int nodes = (int) model.getGraph().getNodeList().stream().filter(n -> !n.getOpType().equals("Constant")).count();
    for (int stages = 4; stages <= Math.min(nodes, 12); stages++) {
      PartitionPlan plan = partitioner.partition(model, stages);
      for (List<Tensor> request : c.requests()) {
        Outputs.assertSame(
            runner.runWhole(model.toByteArray(), request), runner.run(plan, request), c + " in " + stages);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void oneStageIsTheModelWhole(Case c) {
    ModelProto model = c.model().get();
    PartitionPlan plan = partitioner.partition(model, 1);

    assertArrayEquals(model.toByteArray(), plan.stages().get(0).onnx());
    assertEquals(plan.modelInputs(), plan.stages().get(0).requestInputs());
    assertEquals(List.of(), plan.stages().get(0).carriedInputs());
    assertEquals(plan.modelOutputs(), plan.stages().get(0).modelOutputs());
  }
}
