package io.rigserve.serving.testmodels;

import static io.rigserve.serving.onnx.OnnxGraphBuilder.intAttr;
import static io.rigserve.serving.onnx.OnnxGraphBuilder.intsAttr;

import io.rigserve.proto.onnx.StringStringEntryProto;
import io.rigserve.proto.onnx.TensorProto;
import io.rigserve.serving.onnx.OnnxElementTypes;
import io.rigserve.serving.onnx.OnnxGraphBuilder;
import io.rigserve.serving.onnx.OnnxGraphBuilder.Dim;
import io.rigserve.sharding.tensor.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Small ONNX models for tests, built in code with fixed weights. Each model's tensor names are
 * constants here, and its weights are available so tests can compute expected outputs.
 */
public final class TestModels {

  private TestModels() {}

  // ---- (a) MLP with two inputs and two outputs of different datatypes ----

  /** FP32 [batch, 4]. */
  public static final String MLP_FEATURES = "features";
  /** FP32 [batch, 3], added to the class scores. */
  public static final String MLP_OFFSET = "offset";
  /** FP32 [batch, 3]: the second layer's output plus {@link #MLP_OFFSET}. */
  public static final String MLP_SCORES = "scores";
  /** INT64 [batch]: index of the highest score. */
  public static final String MLP_LABEL = "label";

  public static final int MLP_IN = 4;
  public static final int MLP_HIDDEN = 5;
  public static final int MLP_CLASSES = 3;

  /**
   * {@code scores = Gemm(Relu(Gemm(features, w1, b1)), w2, b2) + offset},
   * {@code label = ArgMax(scores, axis 1)}.
   */
  public static byte[] twoHeadMlp() {
    return OnnxGraphBuilder.graph("two_head_mlp")
        .input(MLP_FEATURES, DataType.FP32, Dim.named("batch"), Dim.of(MLP_IN))
        .input(MLP_OFFSET, DataType.FP32, Dim.named("batch"), Dim.of(MLP_CLASSES))
        .initializer("w1", mlpW1(), MLP_IN, MLP_HIDDEN)
        .initializer("b1", mlpB1(), MLP_HIDDEN)
        .initializer("w2", mlpW2(), MLP_HIDDEN, MLP_CLASSES)
        .initializer("b2", mlpB2(), MLP_CLASSES)
        .node("Gemm", List.of(MLP_FEATURES, "w1", "b1"), List.of("h_linear"))
        .node("Relu", List.of("h_linear"), List.of("h"))
        .node("Gemm", List.of("h", "w2", "b2"), List.of("raw_scores"))
        .node("Add", List.of("raw_scores", MLP_OFFSET), List.of(MLP_SCORES))
        .node("ArgMax", List.of(MLP_SCORES), List.of(MLP_LABEL), intAttr("axis", 1), intAttr("keepdims", 0))
        .output(MLP_SCORES, DataType.FP32, Dim.named("batch"), Dim.of(MLP_CLASSES))
        .output(MLP_LABEL, DataType.INT64, Dim.named("batch"))
        .toBytes();
  }

  /** Row-major [4, 5]. */
  public static float[] mlpW1() {
    return wave(MLP_IN * MLP_HIDDEN, 0.9, 0.6);
  }

  public static float[] mlpB1() {
    return wave(MLP_HIDDEN, 2.1, 0.1);
  }

  /** Row-major [5, 3]. */
  public static float[] mlpW2() {
    return wave(MLP_HIDDEN * MLP_CLASSES, 1.7, 0.5);
  }

  public static float[] mlpB2() {
    return wave(MLP_CLASSES, 0.3, 0.2);
  }

  // ---- (b) small convolutional net ----

  /** FP32 [batch, 1, 8, 8]. */
  public static final String CONV_IMAGE = "image";
  /** FP32 [batch, 3]. */
  public static final String CONV_LOGITS = "logits";

  public static final int CONV_SIZE = 8;
  public static final int CONV_FILTERS = 2;
  public static final int CONV_KERNEL = 3;
  public static final int CONV_CLASSES = 3;
  /** Inputs to the final Gemm: filters x (8/2) x (8/2). */
  public static final int CONV_FLAT = CONV_FILTERS * (CONV_SIZE / 2) * (CONV_SIZE / 2);

  /**
   * image -> Conv(2 filters 3x3, pads 1) -> Relu -> MaxPool(2x2, stride 2) -> Flatten -> Gemm(32x3)
   * -> logits.
   */
  public static byte[] convNet() {
    return OnnxGraphBuilder.graph("small_conv")
        .input(CONV_IMAGE, DataType.FP32, Dim.named("batch"), Dim.of(1), Dim.of(CONV_SIZE), Dim.of(CONV_SIZE))
        .initializer("conv_w", convWeights(), CONV_FILTERS, 1, CONV_KERNEL, CONV_KERNEL)
        .initializer("conv_b", convBias(), CONV_FILTERS)
        .initializer("fc_w", fcWeights(), CONV_FLAT, CONV_CLASSES)
        .initializer("fc_b", fcBias(), CONV_CLASSES)
        .node(
            "Conv",
            List.of(CONV_IMAGE, "conv_w", "conv_b"),
            List.of("conv"),
            intsAttr("kernel_shape", CONV_KERNEL, CONV_KERNEL),
            intsAttr("pads", 1, 1, 1, 1))
        .node("Relu", List.of("conv"), List.of("conv_relu"))
        .node(
            "MaxPool",
            List.of("conv_relu"),
            List.of("pooled"),
            intsAttr("kernel_shape", 2, 2),
            intsAttr("strides", 2, 2))
        .node("Flatten", List.of("pooled"), List.of("flat"), intAttr("axis", 1))
        .node("Gemm", List.of("flat", "fc_w", "fc_b"), List.of(CONV_LOGITS))
        .output(CONV_LOGITS, DataType.FP32, Dim.named("batch"), Dim.of(CONV_CLASSES))
        .toBytes();
  }

  /** [2, 1, 3, 3]. */
  public static float[] convWeights() {
    return wave(CONV_FILTERS * CONV_KERNEL * CONV_KERNEL, 1.3, 0.5);
  }

  public static float[] convBias() {
    return new float[] {0.05f, -0.1f};
  }

  /** Row-major [32, 3]. */
  public static float[] fcWeights() {
    return wave(CONV_FLAT * CONV_CLASSES, 0.7, 0.3);
  }

  public static float[] fcBias() {
    return wave(CONV_CLASSES, 2.9, 0.1);
  }

  // ---- (c) one Identity per datatype ----

  /**
   * Every protocol datatype: {@code in_<type>} [-1] -> Identity -> {@code out_<type>} [-1]; the
   * lengths are independent of each other.
   */
  public static byte[] allDatatypesIdentity() {
    OnnxGraphBuilder b = OnnxGraphBuilder.graph("all_datatypes_identity");
    for (DataType datatype : DataType.values()) {
      b.input(identityInput(datatype), datatype, -1)
          .node("Identity", List.of(identityInput(datatype)), List.of(identityOutput(datatype)))
          .output(identityOutput(datatype), datatype, -1);
    }
    return b.toBytes();
  }

  /** "in_fp32", "in_bytes", ... */
  public static String identityInput(DataType datatype) {
    return "in_" + datatype.name().toLowerCase(Locale.ROOT);
  }

  /** "out_fp32", "out_bytes", ... */
  public static String identityOutput(DataType datatype) {
    return "out_" + datatype.name().toLowerCase(Locale.ROOT);
  }

  // ---- (d) INT32 in, FP64 out ----

  /** INT32 [batch, 2]. */
  public static final String CAST_INPUT = "ints";
  /** FP64 [batch, 2]: the same values. */
  public static final String CAST_OUTPUT = "doubles";

  public static byte[] castInt32ToFp64() {
    return OnnxGraphBuilder.graph("cast_int32_fp64")
        .input(CAST_INPUT, DataType.INT32, Dim.named("batch"), Dim.of(2))
        .node("Cast", List.of(CAST_INPUT), List.of(CAST_OUTPUT), intAttr("to", OnnxElementTypes.toOnnxCode(DataType.FP64)))
        .output(CAST_OUTPUT, DataType.FP64, Dim.named("batch"), Dim.of(2))
        .toBytes();
  }

  // ---- (e) weights in an external data file beside the model ----

  /** The model file {@link #writeExternalDataModel} writes. */
  public static final String EXTERNAL_MODEL_FILE = "model.onnx";
  /** The data file beside it, named relative to the model as ONNX requires. */
  public static final String EXTERNAL_DATA_FILE = "weights.bin";
  /** [batch, 3] of the given datatype. */
  public static final String EXTERNAL_INPUT = "x";
  /** FP32 [batch, 3]: the input as FP32 plus {@link #externalWeights()}. */
  public static final String EXTERNAL_OUTPUT = "y";

  /**
   * Writes {@code y = Cast<FP32>(x) + w} with {@code w} stored in {@link #EXTERNAL_DATA_FILE}
   * into {@code dir}, and returns the model file's path.
   */
  public static Path writeExternalDataModel(Path dir, DataType inputType) throws IOException {
    float[] weights = externalWeights();
    ByteBuffer raw = ByteBuffer.allocate(weights.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(weights);
    Files.write(dir.resolve(EXTERNAL_DATA_FILE), raw.array());
    TensorProto w =
        TensorProto.newBuilder()
            .setName("w")
            .setDataType(OnnxElementTypes.toOnnxCode(DataType.FP32))
            .addDims(weights.length)
            .setDataLocation(TensorProto.DataLocation.EXTERNAL)
            .addExternalData(entry("location", EXTERNAL_DATA_FILE))
            .addExternalData(entry("offset", "0"))
            .addExternalData(entry("length", Integer.toString(weights.length * 4)))
            .build();
    byte[] model =
        OnnxGraphBuilder.graph("external_weights")
            .input(EXTERNAL_INPUT, inputType, -1, 3)
            .initializer(w)
            .node("Cast", List.of(EXTERNAL_INPUT), List.of("x_fp32"), intAttr("to", OnnxElementTypes.toOnnxCode(DataType.FP32)))
            .node("Add", List.of("x_fp32", "w"), List.of(EXTERNAL_OUTPUT))
            .output(EXTERNAL_OUTPUT, DataType.FP32, -1, 3)
            .toBytes();
    Path file = dir.resolve(EXTERNAL_MODEL_FILE);
    Files.write(file, model);
    return file;
  }

  public static float[] externalWeights() {
    return new float[] {0.5f, -1.25f, 100f};
  }

  private static StringStringEntryProto entry(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }

  /** Deterministic values in [-scale, scale] of both signs, varied enough to exercise Relu. */
  private static float[] wave(int n, double frequency, double scale) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) (scale * Math.sin(frequency * (i + 1)));
    }
    return values;
  }
}
