package io.rigserve.serving.api.grpc;

import io.rigserve.proto.inference.DataType;
import io.rigserve.proto.inference.ModelConfig;
import io.rigserve.proto.inference.ModelInput;
import io.rigserve.proto.inference.ModelOutput;
import io.rigserve.proto.inference.ModelParameter;
import io.rigserve.serving.inference.ModelConfiguration;
import io.rigserve.sharding.tensor.TensorSpec;

/** A model configuration in Triton's {@code ModelConfig} message. */
final class GrpcModelConfig {

  private GrpcModelConfig() {}

  static ModelConfig encode(ModelConfiguration c) {
    ModelConfig.Builder out = ModelConfig.newBuilder()
        .setName(c.name())
        .setPlatform(c.platform())
        .setBackend(c.backend())
        .setMaxBatchSize(c.maxBatchSize());
    for (TensorSpec s : c.inputs()) {
      ModelInput.Builder in = ModelInput.newBuilder().setName(s.name()).setDataType(type(s));
      for (long d : s.shape()) in.addDims(d);
      out.addInput(in);
    }
    for (TensorSpec s : c.outputs()) {
      ModelOutput.Builder o = ModelOutput.newBuilder().setName(s.name()).setDataType(type(s));
      for (long d : s.shape()) o.addDims(d);
      out.addOutput(o);
    }
    c.parameters().forEach((k, v) -> out.putParameters(k, ModelParameter.newBuilder().setStringValue(v).build()));
    return out.build();
  }

  /** The configuration's type names are the enum's constant names, so one codec serves JSON and gRPC. */
  private static DataType type(TensorSpec s) {
    return DataType.valueOf(ModelConfiguration.configType(s.datatype()));
  }
}
