package io.rigserve.serving.partition;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One pipeline stage of a partitioned model, and what to feed it.
 *
 * <p>Inputs: a stage takes the original graph inputs it reads straight from the request
 * ({@link #requestInputs}), and the tensors earlier stages produced, by name
 * ({@link #carriedInputs}). Each carried tensor is an output of exactly one earlier stage, not
 * necessarily the previous one; no stage passes through a tensor it does not use. So whoever
 * runs the chain keeps the request's inputs and each stage's outputs until the last stage that
 * reads them, and feeds stage i every name of {@link #inputs()} from that pool.
 *
 * @param index position in the chain, from 0
 * @param onnx the stage as a complete ONNX model
 * @param requestInputs original graph inputs this stage reads, taken from the request
 * @param carriedInputs tensors produced by earlier stages that this stage reads
 * @param outputs every output of the stage: tensors later stages read, and graph outputs
 * @param modelOutputs the outputs that are graph outputs of the whole model (the answer)
 * @param weightBytes bytes of weights the stage holds; a constant shared by several stages is
 *     counted in each of them
 * @param externalDataFiles data files, relative to the model file, that hold some of this stage's
 *     weights: the stage file must sit beside them
 */
public record StagePlan(
    int index,
    byte[] onnx,
    List<String> requestInputs,
    List<String> carriedInputs,
    List<String> outputs,
    List<String> modelOutputs,
    long weightBytes,
    List<String> externalDataFiles) {

  public StagePlan {
    Objects.requireNonNull(onnx, "onnx");
    requestInputs = List.copyOf(requestInputs);
    carriedInputs = List.copyOf(carriedInputs);
    outputs = List.copyOf(outputs);
    modelOutputs = List.copyOf(modelOutputs);
    externalDataFiles = List.copyOf(externalDataFiles);
  }

  /** This stage with {@code onnx} as its model. */
  StagePlan withOnnx(byte[] onnx) {
    return new StagePlan(index, onnx, requestInputs, carriedInputs, outputs, modelOutputs, weightBytes, externalDataFiles);
  }

  /** Every input the stage's model declares: request inputs first, then carried tensors. */
  public List<String> inputs() {
    List<String> all = new ArrayList<>(requestInputs);
    all.addAll(carriedInputs);
    return Collections.unmodifiableList(all);
  }

  @Override
  public String toString() {
    return "stage " + index + " (" + onnx.length + " bytes, " + weightBytes + " weight bytes): "
        + inputs() + " -> " + outputs;
  }
}
