package io.rigserve.serving.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.sharding.replica.StageResult;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** A gateway takes another rig's stage outputs only when their tensors agree with their shapes. */
class StageOutputCheckTest {

  @Test
  void consistentOutputsAndFailuresPassUnchanged() {
    StageResult ok = new StageResult.Output(new Tensor[] {new Tensor("y", DataType.FP32, new long[] {2}, new byte[8])});
    assertSame(ok, ReplicaTarget.verified(ok));
    StageResult full = new StageResult.Failed(StageResult.Reason.OVERLOADED, "full");
    assertSame(full, ReplicaTarget.verified(full));
  }

  @Test
  void outputsThatDisagreeWithTheirShapesAreTheReplicasFailureNotTheClients() {
    for (StageResult lying : new StageResult[] {
        new StageResult.Output(new Tensor[] {new Tensor("y", DataType.FP32, new long[] {1 << 20}, new byte[8])}),
        new StageResult.Output(new Tensor[] {null}),
        new StageResult.Output(null)}) {
      StageResult.Failed failed = assertInstanceOf(StageResult.Failed.class, ReplicaTarget.verified(lying));
      assertEquals(StageResult.Reason.RUNTIME_ERROR, failed.reason());
      assertTrue(failed.message().startsWith("the replica answered"), failed.message());
    }
  }
}
