package io.rigserve.serving.testmodels;

import static io.rigserve.serving.onnx.OnnxGraphBuilder.floatAttr;
import static io.rigserve.serving.onnx.OnnxGraphBuilder.intAttr;
import static io.rigserve.serving.onnx.OnnxGraphBuilder.intsAttr;
import static io.rigserve.serving.onnx.OnnxGraphBuilder.tensor;
import static io.rigserve.serving.onnx.OnnxGraphBuilder.tensorAttr;

import io.rigserve.proto.onnx.AttributeProto;
import io.rigserve.proto.onnx.FunctionProto;
import io.rigserve.proto.onnx.GraphProto;
import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.proto.onnx.NodeProto;
import io.rigserve.proto.onnx.OperatorSetIdProto;
import io.rigserve.proto.onnx.TensorProto;
import io.rigserve.serving.onnx.OnnxElementTypes;
import io.rigserve.serving.onnx.OnnxGraphBuilder;
import io.rigserve.serving.onnx.OnnxGraphBuilder.Dim;
import io.rigserve.sharding.tensor.DataType;
import java.util.List;

/**
 * Models shaped like real exports, for cutting into stages: numeric tensor names, no value_info,
 * Constant nodes feeding Reshape, recurrent layers, shared weights, control flow, model-local
 * functions. Weights are fixed pseudo-random values; tests compare stages against the whole model
 * rather than against hand-computed numbers.
 */
public final class PartitionTestModels {

  private PartitionTestModels() {}

  /** Input FP32 [batch, 3, 8, 8] of {@link #convNet()}. */
  public static final String CONV_INPUT = "input";
  /** Output FP32 [batch, 10] of {@link #convNet()}. */
  public static final String CONV_OUTPUT = "output";

  /**
   * Two Conv/BatchNormalization/Relu/MaxPool blocks, Flatten, Gemm, Relu, a Reshape back to an
   * image by a Constant shape, a third Conv, a Reshape by another Constant, and a final Gemm.
   * Intermediate tensors are numbered as older PyTorch exports number them.
   */
  public static ModelProto convNet() {
    return OnnxGraphBuilder.graph("torch_jit")
        .input(CONV_INPUT, DataType.FP32, Dim.named("batch"), Dim.of(3), Dim.of(8), Dim.of(8))
        .initializer("conv1.weight", values(4 * 3 * 3 * 3, 1), 4, 3, 3, 3)
        .initializer("conv1.bias", values(4, 2), 4)
        .initializer("bn1.weight", values(4, 3), 4)
        .initializer("bn1.bias", values(4, 4), 4)
        .initializer("bn1.running_mean", values(4, 5), 4)
        .initializer("bn1.running_var", positive(4, 6), 4)
        .initializer("conv2.weight", values(8 * 4 * 3 * 3, 7), 8, 4, 3, 3)
        .initializer("conv2.bias", values(8, 8), 8)
        .initializer("bn2.weight", values(8, 9), 8)
        .initializer("bn2.bias", values(8, 10), 8)
        .initializer("bn2.running_mean", values(8, 11), 8)
        .initializer("bn2.running_var", positive(8, 12), 8)
        .initializer("fc1.weight", values(16 * 32, 13), 16, 32)
        .initializer("fc1.bias", values(16, 14), 16)
        .initializer("conv3.weight", values(2 * 9, 15), 2, 1, 3, 3)
        .initializer("conv3.bias", values(2, 16), 2)
        .initializer("fc2.weight", values(10 * 32, 17), 10, 32)
        .initializer("fc2.bias", values(10, 18), 10)
        .node("Conv", List.of(CONV_INPUT, "conv1.weight", "conv1.bias"), List.of("7"), intsAttr("kernel_shape", 3, 3), intsAttr("pads", 1, 1, 1, 1))
        .node("BatchNormalization", List.of("7", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"), List.of("8"), floatAttr("epsilon", 1e-5f))
        .node("Relu", List.of("8"), List.of("9"))
        .node("MaxPool", List.of("9"), List.of("10"), intsAttr("kernel_shape", 2, 2), intsAttr("strides", 2, 2))
        .node("Conv", List.of("10", "conv2.weight", "conv2.bias"), List.of("11"), intsAttr("kernel_shape", 3, 3), intsAttr("pads", 1, 1, 1, 1))
        .node("BatchNormalization", List.of("11", "bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var"), List.of("12"), floatAttr("epsilon", 1e-5f))
        .node("Relu", List.of("12"), List.of("13"))
        .node("MaxPool", List.of("13"), List.of("14"), intsAttr("kernel_shape", 2, 2), intsAttr("strides", 2, 2))
        .node("Flatten", List.of("14"), List.of("15"), intAttr("axis", 1))
        .node("Gemm", List.of("15", "fc1.weight", "fc1.bias"), List.of("16"), intAttr("transB", 1))
        .node("Relu", List.of("16"), List.of("17"))
        .node(constant("18", tensor("", new long[] {-1, 1, 4, 4}, 4)))
        .node("Reshape", List.of("17", "18"), List.of("19"))
        .node("Conv", List.of("19", "conv3.weight", "conv3.bias"), List.of("20"), intsAttr("kernel_shape", 3, 3), intsAttr("pads", 1, 1, 1, 1))
        .node("Relu", List.of("20"), List.of("21"))
        .node(constant("22", tensor("", new long[] {0, -1}, 2)))
        .node("Reshape", List.of("21", "22"), List.of("23"))
        .node("Gemm", List.of("23", "fc2.weight", "fc2.bias"), List.of(CONV_OUTPUT), intAttr("transB", 1))
        .output(CONV_OUTPUT, DataType.FP32, Dim.named("batch"), Dim.of(10))
        .build();
  }

  /** Input FP32 [sequence, batch, 8] of {@link #recurrentNet()}. */
  public static final String RNN_INPUT = "input";
  /** Output FP32 [batch, 3] of {@link #recurrentNet()}. */
  public static final String RNN_OUTPUT = "output";

  /** An embedding MatMul, an LSTM (hidden 7) over the sequence, its last hidden state squeezed, Gemm, Tanh. */
  public static ModelProto recurrentNet() {
    int hidden = 7;
    return OnnxGraphBuilder.graph("torch_jit")
        .input(RNN_INPUT, DataType.FP32, Dim.named("sequence"), Dim.named("batch"), Dim.of(8))
        .initializer("embed.weight", values(8 * 6, 21), 8, 6)
        .initializer("onnx::LSTM_W", values(4 * hidden * 6, 22), 1, 4 * hidden, 6)
        .initializer("onnx::LSTM_R", values(4 * hidden * hidden, 23), 1, 4 * hidden, hidden)
        .initializer("onnx::LSTM_B", values(8 * hidden, 24), 1, 8 * hidden)
        .initializer("fc.weight", values(3 * hidden, 25), 3, hidden)
        .initializer("fc.bias", values(3, 26), 3)
        .node("MatMul", List.of(RNN_INPUT, "embed.weight"), List.of("4"))
        .node("LSTM", List.of("4", "onnx::LSTM_W", "onnx::LSTM_R", "onnx::LSTM_B"), List.of("5", "6", "7"), intAttr("hidden_size", hidden))
        .node(constant("8", tensor("", new long[] {0}, 1)))
        .node("Squeeze", List.of("6", "8"), List.of("9"))
        .node("Gemm", List.of("9", "fc.weight", "fc.bias"), List.of("10"), intAttr("transB", 1))
        .node("Tanh", List.of("10"), List.of(RNN_OUTPUT))
        .output(RNN_OUTPUT, DataType.FP32, Dim.named("batch"), Dim.of(3))
        .build();
  }

  /** The weight read by the first and the last MatMul of {@link #sharedWeights()}. */
  public static final String SHARED_WEIGHT = "shared.weight";
  /** The Constant read by the first and the last Mul of {@link #sharedWeights()}. */
  public static final String SHARED_CONSTANT = "scale";

  /**
   * x [batch, 8] -> MatMul(shared) -> Mul(scale) -> Relu -> (MatMul, Relu) x 2 -> MatMul -> Mul(scale)
   * -> MatMul(shared) -> y: an initializer and a Constant read at both ends of the chain, as
   * tied embeddings are.
   */
  public static ModelProto sharedWeights() {
    return OnnxGraphBuilder.graph("tied")
        .input("x", DataType.FP32, Dim.named("batch"), Dim.of(8))
        .initializer(SHARED_WEIGHT, values(64, 31), 8, 8)
        .initializer("w1", values(64, 32), 8, 8)
        .initializer("w2", values(64, 33), 8, 8)
        .initializer("w3", values(64, 34), 8, 8)
        .node(constant(SHARED_CONSTANT, tensor("", values(8, 35), 8)))
        .node("MatMul", List.of("x", SHARED_WEIGHT), List.of("a1"))
        .node("Mul", List.of("a1", SHARED_CONSTANT), List.of("a2"))
        .node("Relu", List.of("a2"), List.of("a3"))
        .node("MatMul", List.of("a3", "w1"), List.of("b1"))
        .node("Relu", List.of("b1"), List.of("b2"))
        .node("MatMul", List.of("b2", "w2"), List.of("c1"))
        .node("Relu", List.of("c1"), List.of("c2"))
        .node("MatMul", List.of("c2", "w3"), List.of("d1"))
        .node("Mul", List.of("d1", SHARED_CONSTANT), List.of("d2"))
        .node("MatMul", List.of("d2", SHARED_WEIGHT), List.of("y"))
        .output("y", DataType.FP32, Dim.named("batch"), Dim.of(8))
        .build();
  }

  /** The tensor the If branches of {@link #ifModel()} read from the outer graph. */
  public static final String IF_OUTER = "h";

  /**
   * x [batch, 4] -> MatMul -> h -> Relu -> ReduceSum -> Greater(0.5) -> If: then h * a (a an outer
   * initializer), else h + c (c an initializer of the branch) -> MatMul -> y [batch, 3]. The
   * branches read h and a from the outer graph without declaring them.
   */
  public static ModelProto ifModel() {
    GraphProto thenBranch =
        OnnxGraphBuilder.graph("then_branch")
            .node("Mul", List.of(IF_OUTER, "a"), List.of("then_out"))
            .output("then_out", DataType.FP32, -1, 4)
            .build()
            .getGraph();
    GraphProto elseBranch =
        OnnxGraphBuilder.graph("else_branch")
            .initializer("c", values(4, 41), 4)
            .node("Add", List.of(IF_OUTER, "c"), List.of("else_out"))
            .output("else_out", DataType.FP32, -1, 4)
            .build()
            .getGraph();
    return OnnxGraphBuilder.graph("branching")
        .input("x", DataType.FP32, Dim.named("batch"), Dim.of(4))
        .initializer("w0", values(16, 42), 4, 4)
        .initializer("a", values(4, 43), 4)
        .initializer("threshold", new float[] {0.5f})
        .initializer("w1", values(12, 44), 4, 3)
        .node("MatMul", List.of("x", "w0"), List.of(IF_OUTER))
        .node("Relu", List.of(IF_OUTER), List.of("r"))
        .node("ReduceSum", List.of("r"), List.of("s"), intAttr("keepdims", 0))
        .node("Greater", List.of("s", "threshold"), List.of("cond"))
        .node(
            NodeProto.newBuilder()
                .setOpType("If")
                .setName("If_4")
                .addInput("cond")
                .addOutput("y_if")
                .addAttribute(graphAttr("then_branch", thenBranch))
                .addAttribute(graphAttr("else_branch", elseBranch))
                .build())
        .node("MatMul", List.of("y_if", "w1"), List.of("y"))
        .output("y", DataType.FP32, Dim.named("batch"), Dim.of(3))
        .build();
  }

  /** INT64 [batch, 4], read by the first node and by the last. */
  public static final String MULTI_TOKENS = "tokens";
  /** FP32 [batch, 6]. */
  public static final String MULTI_FEATURES = "features";
  /** FP32 [batch, 3], read only by the add that makes the scores, near the end. */
  public static final String MULTI_BIAS = "bias";
  /** FP32 [batch, 8]: a tensor in the middle of the graph that is also a graph output. */
  public static final String MULTI_HIDDEN = "hidden";
  public static final String MULTI_SCORES = "scores";
  /** INT64 [batch]. */
  public static final String MULTI_LABEL = "label";
  /** INT64 [batch]: the sum of each row of tokens, computed last. */
  public static final String MULTI_TOKEN_SUM = "token_sum";

  /**
   * Three inputs, four outputs: tokens and features meet in a hidden layer (also an output), two
   * more layers make raw scores, the bias input is added at the end, ArgMax labels them, and the
   * last node sums the tokens again.
   */
  public static ModelProto multiInputOutput() {
    return OnnxGraphBuilder.graph("multi_io")
        .input(MULTI_TOKENS, DataType.INT64, Dim.named("batch"), Dim.of(4))
        .input(MULTI_FEATURES, DataType.FP32, Dim.named("batch"), Dim.of(6))
        .input(MULTI_BIAS, DataType.FP32, Dim.named("batch"), Dim.of(3))
        .initializer("tok.weight", values(32, 51), 4, 8)
        .initializer("feat.weight", values(48, 52), 6, 8)
        .initializer("l2.weight", values(64, 53), 8, 8)
        .initializer("head.weight", values(24, 54), 8, 3)
        .initializer("axes", new long[] {1}, 1)
        .node("Cast", List.of(MULTI_TOKENS), List.of("t_f"), intAttr("to", OnnxElementTypes.toOnnxCode(DataType.FP32)))
        .node("MatMul", List.of("t_f", "tok.weight"), List.of("t1"))
        .node("MatMul", List.of(MULTI_FEATURES, "feat.weight"), List.of("f1"))
        .node("Add", List.of("t1", "f1"), List.of("h0"))
        .node("Relu", List.of("h0"), List.of(MULTI_HIDDEN))
        .node("MatMul", List.of(MULTI_HIDDEN, "l2.weight"), List.of("h2"))
        .node("Relu", List.of("h2"), List.of("h3"))
        .node("MatMul", List.of("h3", "head.weight"), List.of("raw"))
        .node("Add", List.of("raw", MULTI_BIAS), List.of(MULTI_SCORES))
        .node("ArgMax", List.of(MULTI_SCORES), List.of(MULTI_LABEL), intAttr("axis", 1), intAttr("keepdims", 0))
        .node("ReduceSum", List.of(MULTI_TOKENS, "axes"), List.of(MULTI_TOKEN_SUM), intAttr("keepdims", 0))
        .output(MULTI_SCORES, DataType.FP32, Dim.named("batch"), Dim.of(3))
        .output(MULTI_LABEL, DataType.INT64, Dim.named("batch"))
        .output(MULTI_HIDDEN, DataType.FP32, Dim.named("batch"), Dim.of(8))
        .output(MULTI_TOKEN_SUM, DataType.INT64, Dim.named("batch"))
        .build();
  }

  /** The wide tensors of {@link #narrowWaist()}: 256 floats per sample. */
  public static final List<String> WAIST_WIDE = List.of("wide1", "wide2", "wide3", "wide4");
  /** The narrow tensor of {@link #narrowWaist()}: 8 floats per sample. */
  public static final String WAIST_NARROW = "narrow";

  /**
   * x [batch, 64] -> MatMul [64, 256] -> wide1 -> Relu -> wide2 -> MatMul [256, 8] -> narrow ->
   * MatMul [8, 256] -> wide3 -> Relu -> wide4 -> MatMul [256, 52] -> y. Weight bytes alone would
   * cut after the first MatMul (through a wide tensor); the narrow tensor lies 9% of a stage's
   * weight further on.
   */
  public static ModelProto narrowWaist() {
    return OnnxGraphBuilder.graph("waist")
        .input("x", DataType.FP32, Dim.named("batch"), Dim.of(64))
        .initializer("W1", values(64 * 256, 61), 64, 256)
        .initializer("W2", values(256 * 8, 62), 256, 8)
        .initializer("W3", values(8 * 256, 63), 8, 256)
        .initializer("W4", values(256 * 52, 64), 256, 52)
        .node("MatMul", List.of("x", "W1"), List.of("wide1"))
        .node("Relu", List.of("wide1"), List.of("wide2"))
        .node("MatMul", List.of("wide2", "W2"), List.of(WAIST_NARROW))
        .node("MatMul", List.of(WAIST_NARROW, "W3"), List.of("wide3"))
        .node("Relu", List.of("wide3"), List.of("wide4"))
        .node("MatMul", List.of("wide4", "W4"), List.of("y"))
        .output("y", DataType.FP32, Dim.named("batch"), Dim.of(52))
        .build();
  }

  /** The domain of the model-local function of {@link #withFunction()}. */
  public static final String FUNCTION_DOMAIN = "rigserve.test";

  /**
   * x [batch, 4] -> MatMul -> ScaledRelu -> MatMul -> ScaledRelu -> y, where ScaledRelu is a
   * model-local function (Relu, then times a Constant 0.5) in its own domain.
   */
  public static ModelProto withFunction() {
    FunctionProto scaledRelu =
        FunctionProto.newBuilder()
            .setName("ScaledRelu")
            .setDomain(FUNCTION_DOMAIN)
            .addInput("X")
            .addOutput("Y")
            .addNode(NodeProto.newBuilder().setOpType("Relu").addInput("X").addOutput("R"))
            .addNode(constant("half", tensor("", new float[] {0.5f})))
            .addNode(NodeProto.newBuilder().setOpType("Mul").addInput("R").addInput("half").addOutput("Y"))
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OnnxGraphBuilder.DEFAULT_OPSET))
            .build();
    ModelProto model =
        OnnxGraphBuilder.graph("with_function")
            .opset(FUNCTION_DOMAIN, 1)
            .input("x", DataType.FP32, Dim.named("batch"), Dim.of(4))
            .initializer("w0", values(16, 71), 4, 4)
            .initializer("w1", values(16, 72), 4, 4)
            .node("MatMul", List.of("x", "w0"), List.of("a"))
            .node(NodeProto.newBuilder().setName("act0").setOpType("ScaledRelu").setDomain(FUNCTION_DOMAIN).addInput("a").addOutput("b").build())
            .node("MatMul", List.of("b", "w1"), List.of("c"))
            .node(NodeProto.newBuilder().setName("act1").setOpType("ScaledRelu").setDomain(FUNCTION_DOMAIN).addInput("c").addOutput("y").build())
            .output("y", DataType.FP32, Dim.named("batch"), Dim.of(4))
            .build();
    return model.toBuilder().addFunctions(scaledRelu).build();
  }

  /** A Constant node producing {@code output}, as exporters write shape constants. */
  public static NodeProto constant(String output, TensorProto value) {
    return NodeProto.newBuilder()
        .setName("Constant_" + output)
        .setOpType("Constant")
        .addOutput(output)
        .addAttribute(tensorAttr("value", value.toBuilder().setName(output).build()))
        .build();
  }

  public static AttributeProto graphAttr(String name, GraphProto graph) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.GRAPH)
        .setG(graph)
        .build();
  }

  /** Deterministic values in [-1, 1], different for each seed. */
  public static float[] values(int n, int seed) {
    float[] v = new float[n];
    long state = 0x9E3779B97F4A7C15L * (seed + 1);
    for (int i = 0; i < n; i++) {
      state = state * 6364136223846793005L + 1442695040888963407L;
      v[i] = (float) (((state >>> 40) / (double) (1L << 24)) * 2 - 1);
    }
    return v;
  }

  // Variances must be positive.
  private static float[] positive(int n, int seed) {
    float[] v = values(n, seed);
    for (int i = 0; i < n; i++) {
      v[i] = 0.5f + Math.abs(v[i]);
    }
    return v;
  }
}
