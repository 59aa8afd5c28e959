package io.rigserve.serving.inference;

import io.rigserve.sharding.tensor.Tensor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An inference request as both front ends hand it to the core: protocol-independent.
 *
 * @param version empty: the newest ready version
 * @param outputs names of the outputs wanted; empty: all
 * @param timeout the client's deadline, if it gave one
 */
public record InferRequest(
    String model,
    String version,
    String id,
    List<Tensor> inputs,
    List<String> outputs,
    Optional<Duration> timeout) {}
