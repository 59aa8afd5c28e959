package io.rigserve.serving.partition;

/**
 * A model cannot be cut as asked: more stages than nodes, no cut that can carry its tensors, a
 * node too large for the memory budget, a stage ONNX Runtime refuses, or a graph that is not
 * valid ONNX. The message says which and names the node or tensor at fault.
 */
public final class PartitionException extends RuntimeException {

  public PartitionException(String message) {
    super(message);
  }

  public PartitionException(String message, Throwable cause) {
    super(message, cause);
  }
}
