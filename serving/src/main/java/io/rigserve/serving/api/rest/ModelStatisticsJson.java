package io.rigserve.serving.api.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rigserve.serving.statistics.InferenceStatistics.PartitionRegion;
import io.rigserve.serving.statistics.InferenceStatistics.Timed;
import io.rigserve.serving.statistics.InferenceStatistics.VersionStatistics;
import java.util.List;

/**
 * Statistics as Triton's statistics extension answers them ({@code {"model_stats": [...]}}, with
 * {@code inference_stats} of {@code {"count", "ns"}} pairs), plus rigserve's per partition and
 * region stage attempts under {@code rigserve_partition_stats}.
 */
final class ModelStatisticsJson {

  private ModelStatisticsJson() {}

  static ObjectNode encode(List<VersionStatistics> versions) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode stats = root.putArray("model_stats");
    for (VersionStatistics v : versions) {
      ObjectNode m = stats.addObject()
          .put("name", v.name())
          .put("version", v.version())
          .put("last_inference", v.lastInferenceMillis())
          .put("inference_count", v.inferenceCount())
          .put("execution_count", v.executionCount());
      ObjectNode inference = m.putObject("inference_stats");
      inference.set("success", timed(v.success()));
      inference.set("fail", timed(v.fail()));
      inference.set("queue", timed(v.queue()));
      inference.set("compute_input", timed(v.computeInput()));
      inference.set("compute_infer", timed(v.computeInfer()));
      inference.set("compute_output", timed(v.computeOutput()));
      m.putArray("batch_stats");
      ArrayNode partitions = m.putArray("rigserve_partition_stats");
      for (PartitionRegion p : v.partitions()) {
        ObjectNode node = partitions.addObject().put("partition", p.partition()).put("region", p.region());
        node.set("success", timed(p.success()));
        node.set("fail", timed(p.fail()));
      }
    }
    return root;
  }

  private static ObjectNode timed(Timed t) {
    return JsonNodeFactory.instance.objectNode().put("count", t.count()).put("ns", t.ns());
  }
}
