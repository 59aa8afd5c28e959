package io.rigserve.serving.partition;

import static io.rigserve.serving.testmodels.PartitionTestModels.constant;
import static io.rigserve.serving.testmodels.PartitionTestModels.values;
import static io.rigserve.serving.testmodels.TestTensors.fp32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.serving.onnx.OnnxGraphBuilder;
import io.rigserve.serving.onnx.OnnxGraphBuilder.Dim;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.serving.runtime.RuntimeSettings;
import io.rigserve.serving.testmodels.PartitionTestModels;
import io.rigserve.serving.testmodels.TestModels;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Graphs off the common path, and models that cannot be cut as asked. */
class OnnxPartitionerEdgeTest {

  private static final OnnxRuntime RUNTIME = new OnnxRuntime(RuntimeSettings.defaults());

  private final OnnxPartitioner partitioner = new OnnxPartitioner(RUNTIME);
  private final PlanRunner runner = new PlanRunner(RUNTIME);

  @Test
  void moreStagesThanNodesFailsSayingHowManyNodesThereAre() {
    PartitionException e =
        assertThrows(PartitionException.class, () -> partitioner.partition(PartitionTestModels.recurrentNet(), 6));
    assertTrue(e.getMessage().contains("5 nodes"), e.getMessage());
    assertTrue(e.getMessage().contains("6 stages"), e.getMessage());
  }

  @Test
  void zeroStagesIsRefused() {
    assertThrows(PartitionException.class, () -> partitioner.partition(PartitionTestModels.recurrentNet(), 0));
  }

  @Test
  void bytesThatAreNotAModelFailClearly() {
    PartitionException e =
        assertThrows(PartitionException.class, () -> partitioner.partition(new byte[] {8, 1, 2, 3, 9, 9}, 2));
    assertTrue(e.getMessage().startsWith("not an ONNX model"), e.getMessage());
  }

  @Test
  void aNodeReadingANameNothingDefinesFailsNamingIt() {
    ModelProto model =
        OnnxGraphBuilder.graph("dangling")
            .input("x", DataType.FP32, -1, 2)
            .node("Add", List.of("x", "nowhere"), List.of("y"))
            .output("y", DataType.FP32, -1, 2)
            .build();
    PartitionException e = assertThrows(PartitionException.class, () -> partitioner.partition(model, 1));
    assertTrue(e.getMessage().contains("'nowhere'"), e.getMessage());
  }

  @Test
  void aCyclicGraphFails() {
    ModelProto model =
        OnnxGraphBuilder.graph("cycle")
            .input("x", DataType.FP32, -1, 2)
            .node("Add", List.of("x", "b"), List.of("a"))
            .node("Relu", List.of("a"), List.of("b"))
            .output("b", DataType.FP32, -1, 2)
            .build();
    PartitionException e = assertThrows(PartitionException.class, () -> partitioner.partition(model, 2));
    assertTrue(e.getMessage().contains("cycle"), e.getMessage());
  }

  @Test
  void noCutIsMadeThroughASequenceWhichCannotTravelBetweenRigs() {
    ModelProto model = sequenceModel(true);
    PartitionPlan plan = partitioner.partition(model, 2);

    // Not after SequenceConstruct (a sequence), nor after SequenceAt, whose output ONNX Runtime
    // knows no rank of: the only cut left is after the Relu.
    assertEquals(List.of("r"), plan.stages().get(0).outputs());
    List<Tensor> request = List.of(fp32("x", new long[] {2, 2}, values(4, 7)));
    Outputs.assertSame(runner.runWhole(model.toByteArray(), request), runner.run(plan, request), "sequence model");
  }

  @Test
  void aModelWhoseOnlyCutWouldCrossASequenceCannotBeCut() {
    PartitionException e = assertThrows(PartitionException.class, () -> partitioner.partition(sequenceModel(false), 2));
    assertTrue(e.getMessage().contains("no valid cut"), e.getMessage());
    assertTrue(e.getMessage().contains("seq"), e.getMessage());
  }

  @Test
  void nodesNoOutputDependsOnAreLeftOut() throws Exception {
    ModelProto model =
        OnnxGraphBuilder.graph("dead_branch")
            .input("x", DataType.FP32, -1, 2)
            .initializer("w", values(4, 3), 2, 2)
            .node("MatMul", List.of("x", "w"), List.of("a"))
            .node("Sigmoid", List.of("a"), List.of("unused"))
            .node("Relu", List.of("a"), List.of("y"))
            .output("y", DataType.FP32, -1, 2)
            .build();

    PartitionPlan plan = partitioner.partition(model, 2);

    for (StagePlan stage : plan.stages()) {
      assertFalse(
          ModelProto.parseFrom(stage.onnx()).getGraph().getNodeList().stream().anyMatch(n -> n.getOpType().equals("Sigmoid")));
    }
    assertThrows(PartitionException.class, () -> partitioner.partition(model, 3));
  }

  @Test
  void anInputPassedThroughAndAConstantOutputAreAnsweredByTheLastStage() {
    ModelProto model =
        OnnxGraphBuilder.graph("passthrough")
            .input("x", DataType.FP32, Dim.named("batch"), Dim.of(2))
            .input("z", DataType.FP32, Dim.named("batch"), Dim.of(3))
            .initializer("w", values(4, 5), 2, 2)
            .node(constant("k", OnnxGraphBuilder.tensor("", new float[] {1.5f, -2f}, 2)))
            .node("MatMul", List.of("x", "w"), List.of("a"))
            .node("Relu", List.of("a"), List.of("y"))
            .output("y", DataType.FP32, Dim.named("batch"), Dim.of(2))
            .output("z", DataType.FP32, Dim.named("batch"), Dim.of(3))
            .output("k", DataType.FP32, 2)
            .build();
    List<Tensor> request = List.of(fp32("x", new long[] {1, 2}, 1f, -3f), fp32("z", new long[] {1, 3}, 4f, 5f, 6f));

    PartitionPlan plan = partitioner.partition(model, 2);

    assertEquals(List.of("z"), plan.stages().get(1).requestInputs());
    assertTrue(plan.stages().get(1).modelOutputs().containsAll(List.of("y", "z", "k")));
    Outputs.assertSame(runner.runWhole(model.toByteArray(), request), runner.run(plan, request), "passthrough");
  }

  @Test
  void stagesReadingExternalDataNameTheFileAndLoadBesideIt(@TempDir Path dir) throws Exception {
    Path file = TestModels.writeExternalDataModel(dir, DataType.FP32);
    ModelProto model = ModelProto.parseFrom(Files.readAllBytes(file));

    PartitionPlan plan = partitioner.partition(model, 2);

    assertEquals(List.of(), plan.stages().get(0).externalDataFiles());
    assertEquals(List.of(TestModels.EXTERNAL_DATA_FILE), plan.stages().get(1).externalDataFiles());
    assertEquals(12, plan.stages().get(1).weightBytes(), "three floats, counted from the length entry");
    List<Tensor> request = List.of(fp32(TestModels.EXTERNAL_INPUT, new long[] {1, 3}, 1f, 2f, 3f));
    Outputs.assertSame(
        new PlanRunner(RUNTIME, dir).run(partitioner.partition(model, 1), request),
        new PlanRunner(RUNTIME, dir).run(plan, request),
        "external data");
  }

  // x -> Relu -> r -> SequenceConstruct(r, r) -> seq -> SequenceAt(1) -> e -> [Relu -> y]
  private static ModelProto sequenceModel(boolean withNodesAround) {
    OnnxGraphBuilder b =
        OnnxGraphBuilder.graph("sequences")
            .input("x", DataType.FP32, -1, 2)
            .node(constant("position", OnnxGraphBuilder.tensor("", new long[] {1})));
    String first = "x";
    if (withNodesAround) {
      b.node("Relu", List.of("x"), List.of("r"));
      first = "r";
    }
    b.node("SequenceConstruct", List.of(first, first), List.of("seq"))
        .node("SequenceAt", List.of("seq", "position"), List.of(withNodesAround ? "e" : "y"));
    if (withNodesAround) {
      b.node("Sigmoid", List.of("e"), List.of("y"));
    }
    return b.output("y", DataType.FP32, -1, 2).build();
  }
}
