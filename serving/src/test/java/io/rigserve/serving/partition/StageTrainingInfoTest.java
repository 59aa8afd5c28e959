package io.rigserve.serving.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rigserve.proto.onnx.GraphProto;
import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.proto.onnx.StringStringEntryProto;
import io.rigserve.proto.onnx.TrainingInfoProto;
import io.rigserve.serving.onnx.OnnxGraphBuilder;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.serving.runtime.RuntimeSettings;
import io.rigserve.sharding.tensor.DataType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ModelProto.training_info is a declared field now: a cut must still leave it out of every stage. */
class StageTrainingInfoTest {

  private final OnnxPartitioner partitioner = new OnnxPartitioner(new OnnxRuntime(RuntimeSettings.defaults()));

  @Test
  void stagesCutFromAModelWithTrainingGraphsCarryNone() throws Exception {
    GraphProto init = OnnxGraphBuilder.graph("init").initializer("w_init", new float[3], 3)
        .node("Identity", List.of("w_init"), List.of("w_new"))
        .output("w_new", DataType.FP32, 3).build().getGraph();
    ModelProto model = OnnxGraphBuilder.graph("trainable")
        .input("x", DataType.FP32, 3)
        .initializer("w", new float[] {1f, 2f, 3f}, 3)
        .node("Relu", List.of("x"), List.of("r"))
        .node("Add", List.of("r", "w"), List.of("y"))
        .output("y", DataType.FP32, 3)
        .build().toBuilder()
        .addTrainingInfo(TrainingInfoProto.newBuilder().setInitialization(init)
            .addInitializationBinding(StringStringEntryProto.newBuilder().setKey("w").setValue("w_new")))
        .build();
    PartitionPlan plan = partitioner.partition(model.toByteArray(), 2);
    assertEquals(2, plan.size());
    for (StagePlan stage : plan.stages()) {
      assertEquals(0, ModelProto.parseFrom(stage.onnx()).getTrainingInfoCount(), "stage " + stage.index());
    }
  }
}
