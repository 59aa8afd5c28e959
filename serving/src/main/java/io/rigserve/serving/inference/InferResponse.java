package io.rigserve.serving.inference;

import io.rigserve.sharding.tensor.Tensor;
import java.util.List;
import java.util.Map;

/** The answer to an {@link InferRequest}: outputs in the order they were asked for. */
public record InferResponse(
    String model, String version, String id, Map<String, Object> parameters, List<Tensor> outputs) {}
