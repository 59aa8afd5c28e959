package io.rigserve.serving.api.grpc;

import io.rigserve.proto.inference.InferStatistics;
import io.rigserve.proto.inference.ModelStatistics;
import io.rigserve.proto.inference.ModelStatisticsResponse;
import io.rigserve.proto.inference.PartitionRegionStatistics;
import io.rigserve.proto.inference.StatisticDuration;
import io.rigserve.serving.statistics.InferenceStatistics.PartitionRegion;
import io.rigserve.serving.statistics.InferenceStatistics.Timed;
import io.rigserve.serving.statistics.InferenceStatistics.VersionStatistics;
import java.util.List;

/** Statistics in Triton's {@code ModelStatisticsResponse}, with rigserve's per partition and region field. */
final class GrpcStatistics {

  private GrpcStatistics() {}

  static ModelStatisticsResponse encode(List<VersionStatistics> versions) {
    ModelStatisticsResponse.Builder out = ModelStatisticsResponse.newBuilder();
    for (VersionStatistics v : versions) {
      ModelStatistics.Builder m = ModelStatistics.newBuilder()
          .setName(v.name())
          .setVersion(v.version())
          .setLastInference(v.lastInferenceMillis())
          .setInferenceCount(v.inferenceCount())
          .setExecutionCount(v.executionCount())
          .setInferenceStats(InferStatistics.newBuilder()
              .setSuccess(timed(v.success()))
              .setFail(timed(v.fail()))
              .setQueue(timed(v.queue()))
              .setComputeInput(timed(v.computeInput()))
              .setComputeInfer(timed(v.computeInfer()))
              .setComputeOutput(timed(v.computeOutput())));
      for (PartitionRegion p : v.partitions()) {
        m.addRigservePartitionStats(PartitionRegionStatistics.newBuilder()
            .setPartition(p.partition()).setRegion(p.region())
            .setSuccess(timed(p.success())).setFail(timed(p.fail())));
      }
      out.addModelStats(m);
    }
    return out.build();
  }

  private static StatisticDuration timed(Timed t) {
    return StatisticDuration.newBuilder().setCount(t.count()).setNs(t.ns()).build();
  }
}
