package io.rigserve.serving.fuzz;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.rigserve.proto.onnx.AttributeProto;
import io.rigserve.proto.onnx.FunctionProto;
import io.rigserve.proto.onnx.GraphProto;
import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.proto.onnx.NodeProto;
import io.rigserve.proto.onnx.OperatorSetIdProto;
import io.rigserve.proto.onnx.SparseTensorProto;
import io.rigserve.proto.onnx.StringStringEntryProto;
import io.rigserve.proto.onnx.TensorProto;
import io.rigserve.proto.onnx.TensorShapeProto;
import io.rigserve.serving.onnx.OnnxGraphBuilder;
import io.rigserve.serving.testmodels.TestModels;
import java.util.List;

/**
 * Field mutations of valid ONNX models (built with the project's {@code OnnxGraphBuilder}):
 * versions and opsets, operators, names and wiring, attributes, initializer dims, types and
 * data, shapes, and external data everywhere ONNX allows it (initializers, sparse initializers,
 * tensor and sparse attributes, subgraphs, model-local functions) pointing where it must not.
 */
final class OnnxMutations {

  static final List<byte[]> VALID = List.of(TestModels.twoHeadMlp(), TestModels.castInt32ToFp64(), TestModels.convNet(),
      TestModels.allDatatypesIdentity());

  /** Locations outside the model's folder, or special to ONNX Runtime: an upload carrying one must be refused. */
  static final List<String> ESCAPING = List.of("../secret.bin", "../../../../etc/passwd", "/etc/passwd", "/proc/self/environ",
      "*/_ORT_MEM_ADDR_/*", "a/../../x.bin", "..", "/", "/dev/zero", "//127.0.0.1/share/x", "./../x");
  /** Odd but relative locations (on Linux): refusing them is allowed, accepting them is too. */
  private static final List<String> ODD = List.of("..\\..\\x.bin", "C:\\x.bin", "file:///etc/passwd", "weights.bin", "",
      ".", "./", "a/./b", "%2e%2e/x", "\u0000", "x".repeat(5000));

  private static final List<String> OPS = List.of("Gemm", "Relu", "Add", "ArgMax", "Cast", "Conv", "Reshape", "Resize", "If",
      "Loop", "Scan", "Expand", "Tile", "ConstantOfShape", "Range", "Identity", "Constant", "NonZero", "TopK", "Unknown",
      "FusedConv", "Attention");

  /** A mutated model; {@code escapes} when it certainly carries external data outside its folder. */
  record Mutated(byte[] bytes, boolean escapes, String what) {}

  private OnnxMutations() {}

  static Mutated mutate(HostileInputs in) {
    byte[] valid = in.pick(VALID);
    if (in.chance(0.35)) return new Mutated(in.mutate(valid), false, "byte mutations");
    ModelProto.Builder m;
    try {
      m = ModelProto.parseFrom(valid).toBuilder();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
    GraphProto.Builder g = m.getGraphBuilder();
    String what;
    boolean escapes = false;
    switch (in.below(16)) {
      case 0 -> {
        m.setIrVersion(in.pick(0L, -1L, 2L, 3L, 10L, 11L, 100L, Long.MAX_VALUE));
        what = "ir_version";
      }
      case 1 -> {
        if (in.chance(0.3)) m.clearOpsetImport();
        else m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(in.pick("", "ai.onnx.ml", "com.microsoft", in.string()))
            .setVersion(in.pick(0L, 1L, 7L, 17L, 22L, 1000L, -1L, Long.MAX_VALUE)));
        what = "opset";
      }
      case 2 -> {
        NodeProto.Builder n = node(g, in);
        if (n != null) {
          n.setOpType(in.chance(0.7) ? in.pick(OPS) : in.string());
          if (in.chance(0.3)) n.setDomain(in.pick("com.microsoft", "ai.onnx.ml", "ai.onnx.training", in.string()));
        }
        what = "op_type";
      }
      case 3 -> {
        NodeProto.Builder n = node(g, in);
        if (n != null) {
          if (in.chance(0.5) && n.getInputCount() > 0) n.setInput(in.below(n.getInputCount()), in.chance(0.5) ? in.string()
              : n.getOutputCount() > 0 ? n.getOutput(0) : "");
          else n.addOutput(in.chance(0.5) ? in.string() : g.getInput(0).getName());
        }
        what = "wiring";
      }
      case 4 -> {
        NodeProto.Builder n = node(g, in);
        if (n != null) n.addAttribute(attribute(in));
        what = "attribute";
      }
      case 5 -> {
        TensorProto.Builder t = initializer(g, in);
        if (t != null) {
          t.clearDims();
          int rank = in.pick(0, 1, 2, 3, 8);
          for (int d = 0; d < rank; d++) t.addDims(in.dimension());
        }
        what = "initializer dims";
      }
      case 6 -> {
        TensorProto.Builder t = initializer(g, in);
        if (t != null) t.setDataType(in.pick(0, 1, 2, 7, 8, 11, 14, 16, 17, 23, 40, -1));
        what = "initializer data_type";
      }
      case 7 -> {
        TensorProto.Builder t = initializer(g, in);
        if (t != null) {
          if (t.getRawData().isEmpty() && in.chance(0.5)) {
            t.clearFloatData();
            int n = in.pick(0, 1, 3, 100_000);
            for (int k = 0; k < n; k++) t.addFloatData(k);
          } else {
            t.setRawData(ByteString.copyFrom(in.mutate(t.getRawData().toByteArray())));
          }
        }
        what = "initializer data";
      }
      case 8 -> {
        TensorProto.Builder t = initializer(g, in);
        String location = in.chance(0.7) ? in.pick(ESCAPING) : in.chance(0.5) ? in.pick(ODD) : in.string();
        escapes = t != null && ESCAPING.contains(location);
        if (t != null) external(t, location, in);
        what = "initializer external data at " + location;
      }
      case 9 -> {
        String location = in.pick(ESCAPING);
        escapes = true;
        TensorProto.Builder values = TensorProto.newBuilder().setName("sparse_w").setDataType(1).addDims(2);
        external(values, location, in);
        g.addSparseInitializer(SparseTensorProto.newBuilder().setValues(values)
            .setIndices(OnnxGraphBuilder.tensor("sparse_i", new long[] {0, 1}, 2).toBuilder().setName("sparse_w_i"))
            .addDims(4));
        what = "sparse initializer external data at " + location;
      }
      case 10 -> {
        String location = in.pick(ESCAPING);
        escapes = true;
        TensorProto.Builder t = OnnxGraphBuilder.tensor("attr_t", new float[] {1, 2}, 2).toBuilder();
        external(t, location, in);
        NodeProto.Builder constant = NodeProto.newBuilder().setOpType("Constant").addOutput("fz_const");
        boolean dense = in.chance(0.5);
        if (dense) {
          constant.addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(t));
        } else {
          constant.addAttribute(AttributeProto.newBuilder().setName("sparse_value").setType(AttributeProto.AttributeType.SPARSE_TENSOR)
              .setSparseTensor(SparseTensorProto.newBuilder().setValues(t)
                  .setIndices(OnnxGraphBuilder.tensor("i", new long[] {0, 1}, 2)).addDims(4)));
        }
        g.addNode(constant);
        what = (dense ? "tensor" : "sparse tensor") + " attribute external data at " + location;
      }
      case 11 -> {
        String location = in.pick(ESCAPING);
        escapes = true;
        TensorProto.Builder t = OnnxGraphBuilder.tensor("sub_w", new float[] {1}, 1).toBuilder();
        external(t, location, in);
        GraphProto branch = GraphProto.newBuilder().setName("branch").addInitializer(t)
            .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("sub_w").addOutput("sub_out"))
            .addOutput(g.getOutput(0).toBuilder().setName("sub_out")).build();
        g.addNode(NodeProto.newBuilder().setOpType("If").addInput(g.getInput(0).getName()).addOutput("fz_if")
            .addAttribute(AttributeProto.newBuilder().setName("then_branch").setType(AttributeProto.AttributeType.GRAPH).setG(branch))
            .addAttribute(AttributeProto.newBuilder().setName("else_branch").setType(AttributeProto.AttributeType.GRAPH).setG(branch)));
        what = "subgraph external data at " + location;
      }
      case 12 -> {
        String location = in.pick(ESCAPING);
        escapes = true;
        TensorProto.Builder t = OnnxGraphBuilder.tensor("f_w", new float[] {1}, 1).toBuilder();
        external(t, location, in);
        m.addFunctions(FunctionProto.newBuilder().setName("FzFn").setDomain("fz.local").addInput("x").addOutput("y")
            .addNode(NodeProto.newBuilder().setOpType("Constant").addOutput("y")
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(t))));
        m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("fz.local").setVersion(1));
        g.addNode(NodeProto.newBuilder().setOpType("FzFn").setDomain("fz.local").addInput(g.getInput(0).getName()).addOutput("fz_fn"));
        what = "function external data at " + location;
      }
      case 13 -> {
        if (g.getInputCount() > 0) {
          TensorShapeProto.Builder shape = g.getInputBuilder(in.below(g.getInputCount())).getTypeBuilder().getTensorTypeBuilder()
              .setElemType(in.chance(0.5) ? in.pick(0, 8, 14, 16, 40) : 1).getShapeBuilder();
          shape.clearDim();
          int rank = in.pick(0, 1, 2, 3, 9, 100);
          for (int d = 0; d < rank; d++) {
            if (in.chance(0.5)) shape.addDimBuilder().setDimValue(in.dimension());
            else shape.addDimBuilder().setDimParam(in.string());
          }
        }
        what = "input type";
      }
      case 14 -> {
        m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(in.string()).setValue(in.string()));
        m.setDocString(in.string());
        g.setName(in.string());
        what = "names and metadata";
      }
      default -> {
        if (g.getNodeCount() > 0) {
          if (in.chance(0.5)) g.removeNode(in.below(g.getNodeCount()));
          else g.addNode(g.getNode(in.below(g.getNodeCount())));
        }
        if (in.chance(0.3) && g.getOutputCount() > 0) g.removeOutput(0);
        what = "graph structure";
      }
    }
    return new Mutated(m.build().toByteArray(), escapes, what);
  }

  private static NodeProto.Builder node(GraphProto.Builder g, HostileInputs in) {
    return g.getNodeCount() == 0 ? null : g.getNodeBuilder(in.below(g.getNodeCount()));
  }

  private static TensorProto.Builder initializer(GraphProto.Builder g, HostileInputs in) {
    return g.getInitializerCount() == 0 ? null : g.getInitializerBuilder(in.below(g.getInitializerCount()));
  }

  private static void external(TensorProto.Builder t, String location, HostileInputs in) {
    t.clearRawData().clearFloatData().clearInt64Data().clearInt32Data().clearDoubleData()
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location));
    if (in.chance(0.5)) {
      t.addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue(in.pick("0", "-1", "4096",
          "9223372036854775807", "x")));
      t.addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(in.pick("8", "0", "-8",
          "9223372036854775807", "1099511627776")));
    }
  }

  private static AttributeProto attribute(HostileInputs in) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(in.chance(0.6) ? in.pick("axis", "keepdims", "transA",
        "alpha", "to", "kernel_shape", "pads", "strides", "value") : in.string());
    switch (in.below(5)) {
      case 0 -> a.setType(AttributeProto.AttributeType.INT).setI(in.dimension());
      case 1 -> a.setType(AttributeProto.AttributeType.FLOAT).setF(in.pick(Float.NaN, Float.POSITIVE_INFINITY, -0f, 1e30f));
      case 2 -> {
        a.setType(AttributeProto.AttributeType.INTS);
        int n = in.pick(0, 1, 2, 4, 1000);
        for (int k = 0; k < n; k++) a.addInts(in.dimension());
      }
      case 3 -> a.setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(in.string()));
      default -> a.setType(in.pick(AttributeProto.AttributeType.values())).setI(1);
    }
    return a.build();
  }
}
