package io.rigserve.bench;

import io.rigserve.sharding.replica.PartitionRuntime;
import io.rigserve.sharding.tensor.Tensor;

/** The baseline: the same model called directly through ONNX Runtime in this process. */
final class InProcessCall implements LoadLoop.Call {

  private static final String[] ALL_OUTPUTS = new String[0];

  private final PartitionRuntime model;
  private final Tensor[] inputs;

  InProcessCall(PartitionRuntime model, Tensor[] inputs) {
    this.model = model;
    this.inputs = inputs;
  }

  @Override
  public void run() {
    model.run(inputs, ALL_OUTPUTS);
  }
}
