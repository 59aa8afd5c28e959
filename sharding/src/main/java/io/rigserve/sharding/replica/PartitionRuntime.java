package io.rigserve.sharding.replica;

import io.rigserve.sharding.tensor.Tensor;

/**
 * What a partition replica runs. Sharding knows nothing of the engine behind it: serving gives
 * an ONNX Runtime session here. Implementations are safe for concurrent {@link #run} calls.
 */
public interface PartitionRuntime {

  /**
   * Runs the partition on its inputs and returns the requested outputs (all when
   * {@code outputNames} is empty). Blocking: callers run it on a dedicated dispatcher.
   *
   * @throws RuntimeFailure when the inputs are refused or the engine fails
   */
  Tensor[] run(Tensor[] inputs, String[] outputNames);

  /** Why a run failed, with a message fit for the client. */
  final class RuntimeFailure extends RuntimeException {
    private final boolean clientError;

    public RuntimeFailure(String message, boolean clientError, Throwable cause) {
      super(message, cause);
      this.clientError = clientError;
    }

    /** True when the inputs were at fault (bad request), false when the rig was. */
    public boolean clientError() {
      return clientError;
    }
  }
}
