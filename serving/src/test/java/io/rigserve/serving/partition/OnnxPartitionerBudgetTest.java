package io.rigserve.serving.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.serving.runtime.RuntimeSettings;
import io.rigserve.serving.testmodels.PartitionTestModels;
import org.junit.jupiter.api.Test;

/**
 * Choosing K from a memory budget. The narrow-waist model holds 135168 weight bytes: MatMuls of
 * 65536, 8192, 8192 and 53248 bytes. With no fixed overhead a stage needs 1.2 x its weights.
 */
class OnnxPartitionerBudgetTest {

  private static final OnnxRuntime RUNTIME = new OnnxRuntime(RuntimeSettings.defaults());
  private static final PartitionSettings NO_OVERHEAD = new PartitionSettings(0.1, 1.2, 0);

  private final OnnxPartitioner partitioner = new OnnxPartitioner(RUNTIME, NO_OVERHEAD);
  private final ModelProto model = PartitionTestModels.narrowWaist();

  @Test
  void aBudgetHoldingTheWholeModelKeepsItWhole() {
    assertEquals(1, partitioner.smallestFitting(model, 170_000));
  }

  @Test
  void theSmallestKWhoseStagesAllFitIsChosen() {
    assertEquals(2, partitioner.smallestFitting(model, 100_000));
    assertEquals(3, partitioner.smallestFitting(model, 80_000));
    // Two stages would need 1.2 x 73728 bytes for the heavier one.
    PartitionPlan two = partitioner.partition(model, 2);
    long heavier = Math.max(two.stages().get(0).weightBytes(), two.stages().get(1).weightBytes());
    assertTrue(NO_OVERHEAD.memoryFor(heavier) > 80_000);
  }

  @Test
  void aPlanToFitHasThatManyStagesAndEachFits() {
    PartitionPlan plan = partitioner.partitionToFit(model, 80_000);

    assertEquals(3, plan.size());
    for (StagePlan stage : plan.stages()) {
      assertTrue(NO_OVERHEAD.memoryFor(stage.weightBytes()) <= 80_000, stage.toString());
    }
  }

  @Test
  void aNodeTooLargeForTheBudgetFailsNamingTheNodeAndItsSize() {
    PartitionException e = assertThrows(PartitionException.class, () -> partitioner.smallestFitting(model, 70_000));

    assertTrue(e.getMessage().contains("MatMul_0"), e.getMessage());
    assertTrue(e.getMessage().contains("65536 bytes"), e.getMessage());
  }

  @Test
  void theFixedOverheadOfALoadedStageCountsAgainstTheBudget() {
    OnnxPartitioner defaults = new OnnxPartitioner(RUNTIME);
    long overhead = PartitionSettings.defaults().memoryOverheadBytes();

    PartitionException e = assertThrows(PartitionException.class, () -> defaults.smallestFitting(model, overhead - 1));
    assertTrue(e.getMessage().contains("does not cover"), e.getMessage());
    assertEquals(2, defaults.smallestFitting(model, overhead + 100_000));
  }
}
