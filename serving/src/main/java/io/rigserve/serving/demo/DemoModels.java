package io.rigserve.serving.demo;

import static io.rigserve.serving.onnx.OnnxGraphBuilder.intAttr;

import io.rigserve.serving.onnx.OnnxGraphBuilder;
import io.rigserve.serving.onnx.OnnxGraphBuilder.Dim;
import io.rigserve.sharding.tensor.DataType;
import java.util.List;

/**
 * The model a fresh rig serves before anyone deploys one, so that a new cluster answers an
 * inference request end to end. Built in code: no file to ship, and the same bytes on every rig.
 */
public final class DemoModels {

  /** The demo model's name in the repository and the API. */
  public static final String MLP_NAME = "demo";

  public static final String MLP_INPUT = "input";
  public static final String MLP_OUTPUT = "probabilities";
  public static final int MLP_FEATURES = 4;
  public static final int MLP_HIDDEN = 8;
  public static final int MLP_CLASSES = 3;

  private DemoModels() {}

  /**
   * A two-layer perceptron: {@code input} FP32 [batch, 4] -> Gemm(4x8) + Relu -> Gemm(8x3) ->
   * Softmax -> {@code probabilities} FP32 [batch, 3]. Each row of the output sums to 1.
   */
  public static byte[] mlp() {
    return OnnxGraphBuilder.graph("demo_mlp")
        .input(MLP_INPUT, DataType.FP32, Dim.named("batch"), Dim.of(MLP_FEATURES))
        .initializer("w1", mlpHiddenWeights(), MLP_FEATURES, MLP_HIDDEN)
        .initializer("b1", mlpHiddenBias(), MLP_HIDDEN)
        .initializer("w2", mlpOutputWeights(), MLP_HIDDEN, MLP_CLASSES)
        .initializer("b2", mlpOutputBias(), MLP_CLASSES)
        .node("Gemm", List.of(MLP_INPUT, "w1", "b1"), List.of("hidden_linear"))
        .node("Relu", List.of("hidden_linear"), List.of("hidden"))
        .node("Gemm", List.of("hidden", "w2", "b2"), List.of("logits"))
        .node("Softmax", List.of("logits"), List.of(MLP_OUTPUT), intAttr("axis", 1))
        .output(MLP_OUTPUT, DataType.FP32, Dim.named("batch"), Dim.of(MLP_CLASSES))
        .toBytes();
  }

  /** First layer weights, row-major [4, 8]. */
  public static float[] mlpHiddenWeights() {
    return pattern(MLP_FEATURES * MLP_HIDDEN, 7, 0.25f);
  }

  public static float[] mlpHiddenBias() {
    return pattern(MLP_HIDDEN, 3, 0.1f);
  }

  /** Second layer weights, row-major [8, 3]. */
  public static float[] mlpOutputWeights() {
    return pattern(MLP_HIDDEN * MLP_CLASSES, 5, 0.2f);
  }

  public static float[] mlpOutputBias() {
    return pattern(MLP_CLASSES, 11, 0.05f);
  }

  // Small values of both signs from a fixed formula: deterministic, and with a mix of active and
  // inactive Relu units so the model is not trivially linear.
  private static float[] pattern(int n, int stride, float scale) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (((i * stride + 3) % 9) - 4) * scale;
    }
    return values;
  }
}
