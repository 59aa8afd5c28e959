package io.rigserve.serving.inference;

import io.rigserve.sharding.tensor.TensorSpec;
import java.util.List;

/** What the protocol's model metadata call reports. */
public record ModelMetadata(
    String name, List<String> versions, String platform, List<TensorSpec> inputs, List<TensorSpec> outputs) {

  /** The platform name Triton and KServe use for ONNX Runtime models. */
  public static final String ONNX_PLATFORM = "onnxruntime_onnx";
}
