package io.rigserve.sharding.replica;

import io.rigserve.cluster.serialization.InternalMessage;
import io.rigserve.sharding.tensor.Tensor;

/** A replica's answer to one stage: its outputs, or why it could not produce them. */
public sealed interface StageResult extends InternalMessage {

  /** The stage ran; these are its outputs. */
  record Output(Tensor[] tensors) implements StageResult {}

  /** The stage did not run or failed; {@code reason} tells the gateway whether to try elsewhere. */
  record Failed(Reason reason, String message) implements StageResult {}

  enum Reason {
    /** The request itself is wrong: no other replica would do better. */
    INVALID_INPUT,
    /** This replica has no loaded runtime (still loading, unloaded, or not placed here). */
    NOT_LOADED,
    /** This replica's queue is full. */
    OVERLOADED,
    /** The request's deadline passed before the stage could start. */
    DEADLINE_EXCEEDED,
    /** The engine failed on this rig. */
    RUNTIME_ERROR
  }
}
