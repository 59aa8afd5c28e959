package io.rigserve.serving.inference;

import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * What Triton's model configuration call reports of a served version: platform and backend, the
 * batch size the server batches up to (0: rigserve does not batch yet), the inputs and outputs,
 * and rigserve's deployment (partitions, replicas, regions) as string parameters.
 */
public record ModelConfiguration(String name, String platform, String backend, int maxBatchSize,
    List<TensorSpec> inputs, List<TensorSpec> outputs, Map<String, String> parameters) {

  /** The backend name Triton uses for ONNX Runtime. */
  public static final String ONNX_BACKEND = "onnxruntime";

  public ModelConfiguration {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    parameters = Map.copyOf(parameters);
  }

  /** Triton's configuration name of a datatype ({@code TYPE_FP32}, ...; BYTES is {@code TYPE_STRING}). */
  public static String configType(DataType type) {
    return type == DataType.BYTES ? "TYPE_STRING" : "TYPE_" + type.protocolName();
  }
}
