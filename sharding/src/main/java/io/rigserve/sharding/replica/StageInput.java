package io.rigserve.sharding.replica;

import io.rigserve.sharding.tensor.Tensor;

/**
 * What one pipeline stage runs on: its input tensors and the outputs wanted from it (empty: all).
 * The gateway keeps it until the stage answers, so it can replay it on another replica.
 */
public record StageInput(Tensor[] tensors, String[] outputs) {}
