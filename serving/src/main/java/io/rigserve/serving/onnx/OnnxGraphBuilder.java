package io.rigserve.serving.onnx;

import com.google.protobuf.ByteString;
import io.rigserve.proto.onnx.AttributeProto;
import io.rigserve.proto.onnx.GraphProto;
import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.proto.onnx.NodeProto;
import io.rigserve.proto.onnx.OperatorSetIdProto;
import io.rigserve.proto.onnx.TensorProto;
import io.rigserve.proto.onnx.TensorShapeProto;
import io.rigserve.proto.onnx.TypeProto;
import io.rigserve.proto.onnx.ValueInfoProto;
import io.rigserve.sharding.tensor.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds an ONNX model in code: declared inputs and outputs, initializers, nodes. Used for the
 * demo model, for tests, and by anything that needs a small graph without an exporter.
 *
 * <pre>{@code
 * byte[] model = OnnxGraphBuilder.graph("scale")
 *     .input("x", DataType.FP32, Dim.named("batch"), Dim.of(4))
 *     .initializer("two", new float[] {2f}, 1)
 *     .node("Mul", List.of("x", "two"), List.of("y"))
 *     .output("y", DataType.FP32, -1, 4)
 *     .toBytes();
 * }</pre>
 */
public final class OnnxGraphBuilder {

  /** IR version 8 is what ONNX 1.10+ writes for opset 17 and what every current runtime reads. */
  public static final long IR_VERSION = 8;

  /** The default-domain opset of built models. */
  public static final long DEFAULT_OPSET = 17;

  /** One dimension of a declared shape: a fixed size, a named symbolic size, or unknown. */
  public record Dim(long value, String param) {

    public static Dim of(long value) {
      if (value < 0) {
        throw new IllegalArgumentException("a fixed dimension is >= 0, got " + value);
      }
      return new Dim(value, null);
    }

    /** A dynamic dimension with a name; dimensions sharing a name must agree at run time. */
    public static Dim named(String param) {
      return new Dim(-1, Objects.requireNonNull(param, "param"));
    }

    /** A dynamic dimension without a name. */
    public static Dim unknown() {
      return new Dim(-1, null);
    }

    TensorShapeProto.Dimension toProto() {
      TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
      if (param != null) {
        dim.setDimParam(param);
      } else if (value >= 0) {
        dim.setDimValue(value);
      }
      return dim.build();
    }
  }

  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private final Map<String, Long> opsets = new LinkedHashMap<>();
  private int nodeCount;

  private OnnxGraphBuilder(String graphName) {
    graph.setName(Objects.requireNonNull(graphName, "graphName"));
    opsets.put("", DEFAULT_OPSET);
  }

  /** A builder for a model whose graph has this name. */
  public static OnnxGraphBuilder graph(String graphName) {
    return new OnnxGraphBuilder(graphName);
  }

  /** Imports another opset, or changes the version of one already imported ("" is the default domain). */
  public OnnxGraphBuilder opset(String domain, long version) {
    opsets.put(Objects.requireNonNull(domain, "domain"), version);
    return this;
  }

  /** Declares a graph input; -1 marks a dynamic dimension. An empty shape is a scalar. */
  public OnnxGraphBuilder input(String name, DataType datatype, long... shape) {
    return input(name, datatype, dims(shape));
  }

  /** Declares a graph input with fixed, named or unknown dimensions. */
  public OnnxGraphBuilder input(String name, DataType datatype, Dim... shape) {
    graph.addInput(valueInfo(name, datatype, shape));
    return this;
  }

  /** Declares a graph output; -1 marks a dynamic dimension. */
  public OnnxGraphBuilder output(String name, DataType datatype, long... shape) {
    return output(name, datatype, dims(shape));
  }

  /** Declares a graph output with fixed, named or unknown dimensions. */
  public OnnxGraphBuilder output(String name, DataType datatype, Dim... shape) {
    graph.addOutput(valueInfo(name, datatype, shape));
    return this;
  }

  /**
   * Declares a graph output by name only; ONNX Runtime infers its type and shape at load, which
   * is how a graph cut from a larger one can expose tensors whose types it does not know.
   */
  public OnnxGraphBuilder untypedOutput(String name) {
    graph.addOutput(ValueInfoProto.newBuilder().setName(Objects.requireNonNull(name, "name")));
    return this;
  }

  public OnnxGraphBuilder initializer(String name, float[] values, long... dims) {
    return initializer(tensor(name, values, dims));
  }

  public OnnxGraphBuilder initializer(String name, double[] values, long... dims) {
    return initializer(tensor(name, values, dims));
  }

  public OnnxGraphBuilder initializer(String name, long[] values, long... dims) {
    return initializer(tensor(name, values, dims));
  }

  public OnnxGraphBuilder initializer(String name, int[] values, long... dims) {
    return initializer(tensor(name, values, dims));
  }

  /** Adds a ready-made constant tensor (it must carry a name). */
  public OnnxGraphBuilder initializer(TensorProto tensor) {
    if (!tensor.hasName() || tensor.getName().isEmpty()) {
      throw new IllegalArgumentException("an initializer needs a name");
    }
    graph.addInitializer(tensor);
    return this;
  }

  /** Adds a default-domain node; its name is generated from the op type and position. */
  public OnnxGraphBuilder node(
      String opType, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
    return node(
        NodeProto.newBuilder()
            .setOpType(Objects.requireNonNull(opType, "opType"))
            .setName(opType + "_" + nodeCount)
            .addAllInput(inputs)
            .addAllOutput(outputs)
            .addAllAttribute(List.of(attributes))
            .build());
  }

  /** Adds a node built by hand (another domain, doc strings, ...). */
  public OnnxGraphBuilder node(NodeProto node) {
    graph.addNode(node);
    nodeCount++;
    return this;
  }

  public ModelProto build() {
    ModelProto.Builder model =
        ModelProto.newBuilder()
            .setIrVersion(IR_VERSION)
            .setProducerName("rigserve")
            .setGraph(graph.build());
    opsets.forEach(
        (domain, version) ->
            model.addOpsetImport(
                OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version)));
    return model.build();
  }

  public byte[] toBytes() {
    return build().toByteArray();
  }

  // ---- attributes ----

  public static AttributeProto intAttr(String name, long value) {
    return attribute(name, AttributeProto.AttributeType.INT).setI(value).build();
  }

  public static AttributeProto floatAttr(String name, float value) {
    return attribute(name, AttributeProto.AttributeType.FLOAT).setF(value).build();
  }

  public static AttributeProto intsAttr(String name, long... values) {
    AttributeProto.Builder a = attribute(name, AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }

  public static AttributeProto floatsAttr(String name, float... values) {
    AttributeProto.Builder a = attribute(name, AttributeProto.AttributeType.FLOATS);
    for (float v : values) {
      a.addFloats(v);
    }
    return a.build();
  }

  public static AttributeProto stringAttr(String name, String value) {
    return attribute(name, AttributeProto.AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(value))
        .build();
  }

  public static AttributeProto tensorAttr(String name, TensorProto value) {
    return attribute(name, AttributeProto.AttributeType.TENSOR).setT(value).build();
  }

  // ---- constant tensors, stored as little-endian raw_data as exporters write them ----

  public static TensorProto tensor(String name, float[] values, long... dims) {
    ByteBuffer raw = rawBuffer(values.length, 4, dims);
    raw.asFloatBuffer().put(values);
    return rawTensor(name, DataType.FP32, raw, dims);
  }

  public static TensorProto tensor(String name, double[] values, long... dims) {
    ByteBuffer raw = rawBuffer(values.length, 8, dims);
    raw.asDoubleBuffer().put(values);
    return rawTensor(name, DataType.FP64, raw, dims);
  }

  public static TensorProto tensor(String name, long[] values, long... dims) {
    ByteBuffer raw = rawBuffer(values.length, 8, dims);
    raw.asLongBuffer().put(values);
    return rawTensor(name, DataType.INT64, raw, dims);
  }

  public static TensorProto tensor(String name, int[] values, long... dims) {
    ByteBuffer raw = rawBuffer(values.length, 4, dims);
    raw.asIntBuffer().put(values);
    return rawTensor(name, DataType.INT32, raw, dims);
  }

  /** A constant string tensor (ONNX keeps strings in string_data, never raw_data). */
  public static TensorProto tensor(String name, String[] values, long... dims) {
    checkCount(values.length, dims);
    TensorProto.Builder t =
        TensorProto.newBuilder()
            .setName(name)
            .setDataType(TensorProto.DataType.STRING.getNumber());
    for (long d : dims) {
      t.addDims(d);
    }
    for (String v : values) {
      t.addStringData(ByteString.copyFrom(v.getBytes(StandardCharsets.UTF_8)));
    }
    return t.build();
  }

  private static ByteBuffer rawBuffer(int count, int elementSize, long[] dims) {
    checkCount(count, dims);
    return ByteBuffer.allocate(count * elementSize).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static TensorProto rawTensor(String name, DataType datatype, ByteBuffer raw, long[] dims) {
    TensorProto.Builder t =
        TensorProto.newBuilder()
            .setName(Objects.requireNonNull(name, "name"))
            .setDataType(OnnxElementTypes.toOnnxCode(datatype))
            .setRawData(ByteString.copyFrom(raw.array()));
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }

  private static void checkCount(int count, long[] dims) {
    long expected = 1;
    for (long d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException("constant tensor dims must be >= 0, got " + d);
      }
      expected = Math.multiplyExact(expected, d);
    }
    if (expected != count) {
      throw new IllegalArgumentException(
          "dims " + Arrays.toString(dims) + " hold " + expected + " elements, got " + count);
    }
  }

  private static AttributeProto.Builder attribute(String name, AttributeProto.AttributeType type) {
    return AttributeProto.newBuilder().setName(Objects.requireNonNull(name, "name")).setType(type);
  }

  private static Dim[] dims(long[] shape) {
    Dim[] dims = new Dim[shape.length];
    for (int i = 0; i < shape.length; i++) {
      dims[i] = shape[i] < 0 ? Dim.unknown() : Dim.of(shape[i]);
    }
    return dims;
  }

  private static ValueInfoProto valueInfo(String name, DataType datatype, Dim[] shape) {
    TensorShapeProto.Builder dims = TensorShapeProto.newBuilder();
    for (Dim d : shape) {
      dims.addDim(d.toProto());
    }
    return ValueInfoProto.newBuilder()
        .setName(Objects.requireNonNull(name, "name"))
        .setType(
            TypeProto.newBuilder()
                .setTensorType(
                    TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxElementTypes.toOnnxCode(datatype))
                        .setShape(dims)))
        .build();
  }
}
