package io.rigserve.serving.partition;

import java.util.List;

/**
 * A model cut into pipeline stages: run them in order, each fed as {@link StagePlan} describes,
 * and the graph outputs of the stages together are the model's outputs.
 *
 * @param stages the stages in chain order; one stage is the whole model
 * @param modelInputs the model's inputs a request supplies
 * @param modelOutputs the model's outputs, in the model's order
 */
public record PartitionPlan(List<StagePlan> stages, List<String> modelInputs, List<String> modelOutputs) {

  public PartitionPlan {
    if (stages.isEmpty()) {
      throw new IllegalArgumentException("a plan has at least one stage");
    }
    stages = List.copyOf(stages);
    modelInputs = List.copyOf(modelInputs);
    modelOutputs = List.copyOf(modelOutputs);
  }

  /** Number of stages (K). */
  public int size() {
    return stages.size();
  }

  /** Weight bytes of all stages together; shared constants count once per stage holding them. */
  public long weightBytes() {
    return stages.stream().mapToLong(StagePlan::weightBytes).sum();
  }
}
