package io.rigserve.serving.partition;

import static io.rigserve.serving.testmodels.PartitionTestModels.SHARED_CONSTANT;
import static io.rigserve.serving.testmodels.PartitionTestModels.SHARED_WEIGHT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.proto.onnx.GraphProto;
import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.proto.onnx.NodeProto;
import io.rigserve.proto.onnx.TensorProto;
import io.rigserve.proto.onnx.TensorShapeProto;
import io.rigserve.proto.onnx.TypeProto;
import io.rigserve.proto.onnx.ValueInfoProto;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.serving.runtime.RuntimeSettings;
import io.rigserve.serving.testmodels.PartitionTestModels;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Where cuts fall, what crosses them, and what each stage holds. */
class OnnxPartitionerCutTest {

  private static final OnnxRuntime RUNTIME = new OnnxRuntime(RuntimeSettings.defaults());

  private final OnnxPartitioner partitioner = new OnnxPartitioner(RUNTIME);

  @Test
  void aCutWithinTheToleranceGoesThroughTheNarrowTensorRatherThanAWideOne() {
    PartitionPlan plan = partitioner.partition(PartitionTestModels.narrowWaist(), 2);

    assertEquals(List.of(PartitionTestModels.WAIST_NARROW), plan.stages().get(0).outputs());
    assertEquals(List.of(PartitionTestModels.WAIST_NARROW), plan.stages().get(1).carriedInputs());
  }

  @Test
  void withNoToleranceTheCutIsTheBestBalancedEvenThroughAWideTensor() {
    OnnxPartitioner strict = new OnnxPartitioner(RUNTIME, new PartitionSettings(0, 1.2, 0));

    PartitionPlan plan = strict.partition(PartitionTestModels.narrowWaist(), 2);

    assertEquals(List.of("wide1"), plan.stages().get(0).outputs());
    assertTrue(PartitionTestModels.WAIST_WIDE.contains(plan.stages().get(1).carriedInputs().get(0)));
  }

  @Test
  void theConvNetIsCutAfterPoolingWhereTheActivationIsSmallestNotBeforeIt() {
    PartitionPlan plan = partitioner.partition(PartitionTestModels.convNet(), 2);

    // "13" (before the second MaxPool) holds 128 floats a sample, "14" (after it) 32.
    assertEquals(List.of("14"), plan.stages().get(0).outputs());
  }

  @Test
  void aCutTensorWithoutValueInfoIsDeclaredWithTheTypeOnnxRuntimeInfers() throws Exception {
    PartitionPlan plan = partitioner.partition(PartitionTestModels.convNet(), 2);

    ModelProto second = ModelProto.parseFrom(plan.stages().get(1).onnx());
    ValueInfoProto input = second.getGraph().getInput(0);
    assertEquals("14", input.getName());
    TypeProto.Tensor type = input.getType().getTensorType();
    assertEquals(TensorProto.DataType.FLOAT.getNumber(), type.getElemType());
    List<TensorShapeProto.Dimension> dims = type.getShape().getDimList();
    assertEquals(4, dims.size());
    assertFalse(dims.get(0).hasDimValue(), "the batch dimension stays dynamic");
    assertEquals(List.of(8L, 2L, 2L), dims.subList(1, 4).stream().map(TensorShapeProto.Dimension::getDimValue).toList());
    ModelProto first = ModelProto.parseFrom(plan.stages().get(0).onnx());
    assertEquals(type, first.getGraph().getOutput(0).getType().getTensorType(), "the producing stage declares it too");
  }

  @Test
  void aCutTensorWithValueInfoKeepsItsDeclarationAndSymbolicDimensions() throws Exception {
    ModelProto model = PartitionTestModels.narrowWaist();
    ValueInfoProto narrow =
        ValueInfoProto.newBuilder()
            .setName(PartitionTestModels.WAIST_NARROW)
            .setType(
                TypeProto.newBuilder()
                    .setTensorType(
                        TypeProto.Tensor.newBuilder()
                            .setElemType(TensorProto.DataType.FLOAT.getNumber())
                            .setShape(
                                TensorShapeProto.newBuilder()
                                    .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                                    .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(8)))))
            .build();
    model = model.toBuilder().setGraph(model.getGraph().toBuilder().addValueInfo(narrow)).build();

    PartitionPlan plan = partitioner.partition(model, 2);

    ModelProto second = ModelProto.parseFrom(plan.stages().get(1).onnx());
    assertEquals(narrow.getType(), second.getGraph().getInput(0).getType());
  }

  @ParameterizedTest(name = "in {0} stages")
  @ValueSource(ints = {2, 3})
  void aSharedInitializerAndConstantAreCopiedIntoEachStageThatReadsThemAndNeverCrossACut(int stages)
      throws Exception {
    ModelProto model = PartitionTestModels.sharedWeights();
    PartitionPlan plan = partitioner.partition(model, stages);

    long sharedBytes = 8 * 8 * 4;
    long constantBytes = 8 * 4;
    long modelWeights = 4 * sharedBytes + constantBytes;
    long copies = 0;
    for (StagePlan stage : plan.stages()) {
      GraphProto graph = ModelProto.parseFrom(stage.onnx()).getGraph();
      boolean readsShared = graph.getNodeList().stream().anyMatch(n -> n.getInputList().contains(SHARED_WEIGHT));
      boolean holdsShared = graph.getInitializerList().stream().anyMatch(t -> t.getName().equals(SHARED_WEIGHT));
      assertEquals(readsShared, holdsShared, "stage " + stage.index() + " holds the shared weight iff it reads it");
      boolean readsConstant = graph.getNodeList().stream().anyMatch(n -> n.getInputList().contains(SHARED_CONSTANT));
      boolean holdsConstant =
          graph.getNodeList().stream().anyMatch(n -> n.getOpType().equals("Constant") && n.getOutput(0).equals(SHARED_CONSTANT));
      assertEquals(readsConstant, holdsConstant, "stage " + stage.index() + " has its own copy of the Constant");
      assertFalse(stage.inputs().contains(SHARED_WEIGHT) || stage.inputs().contains(SHARED_CONSTANT));
      assertFalse(stage.outputs().contains(SHARED_WEIGHT) || stage.outputs().contains(SHARED_CONSTANT));
      copies += (holdsShared ? sharedBytes : 0) + (holdsConstant ? constantBytes : 0);
    }
    assertTrue(plan.stages().get(0).weightBytes() >= sharedBytes && plan.stages().get(stages - 1).weightBytes() >= sharedBytes);
    assertEquals(modelWeights + copies - sharedBytes - constantBytes, plan.weightBytes(), "each copy is counted");
  }

  @Test
  void aTensorReadOnlyInsideAnIfBranchIsAnInputOfTheStageHoldingTheIf() throws Exception {
    // One node per stage: the If's stage gets h only because its branches read it.
    PartitionPlan plan = partitioner.partition(PartitionTestModels.ifModel(), 6);

    StagePlan ifStage = plan.stages().get(4);
    GraphProto graph = ModelProto.parseFrom(ifStage.onnx()).getGraph();
    assertEquals(List.of("If"), graph.getNodeList().stream().map(NodeProto::getOpType).toList());
    assertEquals(List.of(PartitionTestModels.IF_OUTER, "cond"), ifStage.carriedInputs());
    assertEquals(List.of("a"), graph.getInitializerList().stream().map(TensorProto::getName).toList(),
        "the outer initializer a branch reads travels with the If");
    assertTrue(plan.stages().get(0).outputs().contains(PartitionTestModels.IF_OUTER));
    // a (4 floats) from the outer graph, c (4 floats) inside the else branch.
    assertEquals(32, ifStage.weightBytes());
  }

  @Test
  void theOriginalInputReadLateGoesStraightFromTheRequestToTheLastStage() {
    PartitionPlan plan = partitioner.partition(PartitionTestModels.multiInputOutput(), 3);

    StagePlan last = plan.stages().get(2);
    assertTrue(last.requestInputs().contains(PartitionTestModels.MULTI_BIAS));
    assertTrue(last.requestInputs().contains(PartitionTestModels.MULTI_TOKENS));
    for (StagePlan stage : plan.stages()) {
      assertFalse(stage.outputs().contains(PartitionTestModels.MULTI_BIAS), "nothing passes an input through");
      assertFalse(stage.carriedInputs().contains(PartitionTestModels.MULTI_TOKENS));
    }
    assertEquals(List.of(PartitionTestModels.MULTI_HIDDEN), plan.stages().get(1).modelOutputs(),
        "the middle stage answers the mid-graph output");
  }

  @Test
  void aConstantFeedingAReshapeStaysWithItsReaderInsteadOfCrossing() throws Exception {
    // 16 nodes besides the two Constants: every K up to one node per stage.
    for (int stages = 2; stages <= 16; stages++) {
      PartitionPlan plan = partitioner.partition(PartitionTestModels.convNet(), stages);
      for (StagePlan stage : plan.stages()) {
        assertFalse(stage.inputs().contains("18") || stage.inputs().contains("22"), stage.toString());
        GraphProto graph = ModelProto.parseFrom(stage.onnx()).getGraph();
        for (NodeProto node : graph.getNodeList()) {
          if (node.getOpType().equals("Reshape")) {
            String shape = node.getInput(1);
            assertTrue(graph.getNodeList().stream().anyMatch(n -> n.getOpType().equals("Constant") && n.getOutput(0).equals(shape)));
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "in {0} stages")
  @ValueSource(ints = {2, 3})
  void stageWeightsStayWithinTheBoundTheCutRulePromises(int stages) {
    double tolerance = partitioner.settings().balanceTolerance();
    for (Supplier<ModelProto> model :
        List.<Supplier<ModelProto>>of(
            PartitionTestModels::convNet,
            PartitionTestModels::recurrentNet,
            PartitionTestModels::multiInputOutput,
            PartitionTestModels::narrowWaist)) {
      ModelProto m = model.get();
      PartitionPlan plan = partitioner.partition(m, stages);
      double average = (double) plan.weightBytes() / stages;
      double bound = 2 * Math.max(tolerance * average, heaviestNodeBytes(m));
      for (StagePlan stage : plan.stages()) {
        assertTrue(
            Math.abs(stage.weightBytes() - average) <= bound,
            m.getGraph().getName() + " " + stage + ": average " + average + ", bound " + bound);
      }
    }
  }

  @Test
  void whenEveryCutLiesInsideTheToleranceStagesDifferFromTheAverageByAtMostTwiceIt() {
    PartitionPlan plan = partitioner.partition(PartitionTestModels.narrowWaist(), 2);

    double average = (double) plan.weightBytes() / 2;
    for (StagePlan stage : plan.stages()) {
      assertTrue(Math.abs(stage.weightBytes() - average) <= 2 * 0.1 * average, stage.toString());
    }
  }

  // The bytes of the initializers the heaviest node reads (these models hold raw FP32/INT64 data).
  private static long heaviestNodeBytes(ModelProto model) {
    Map<String, Long> sizes = new HashMap<>();
    model.getGraph().getInitializerList().forEach(t -> sizes.put(t.getName(), (long) t.getRawData().size()));
    long heaviest = 0;
    for (NodeProto node : model.getGraph().getNodeList()) {
      heaviest = Math.max(heaviest, node.getInputList().stream().mapToLong(i -> sizes.getOrDefault(i, 0L)).sum());
    }
    return heaviest;
  }
}
