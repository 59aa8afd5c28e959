package io.rigserve.serving.testmodels;

import io.rigserve.proto.onnx.AttributeProto;
import io.rigserve.proto.onnx.FunctionProto;
import io.rigserve.proto.onnx.GraphProto;
import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.proto.onnx.NodeProto;
import io.rigserve.proto.onnx.OperatorSetIdProto;
import io.rigserve.proto.onnx.SparseTensorProto;
import io.rigserve.proto.onnx.StringStringEntryProto;
import io.rigserve.proto.onnx.TensorProto;
import io.rigserve.proto.onnx.TrainingInfoProto;
import io.rigserve.serving.onnx.OnnxElementTypes;
import io.rigserve.serving.onnx.OnnxGraphBuilder;
import io.rigserve.sharding.tensor.DataType;
import java.util.List;

/**
 * Models an attacker would upload: {@code y = x + w} (FP32 [3]) where one tensor keeps its data
 * "outside the file" at a location the attacker picks, in each place of the ONNX format that
 * can hold a tensor.
 */
public final class HostileModels {

  /** Where the tensor with the hostile external data sits. */
  public enum Place {
    INITIALIZER,
    SPARSE_INITIALIZER_VALUES,
    SPARSE_INITIALIZER_INDICES,
    ATTRIBUTE_TENSOR,
    SPARSE_ATTRIBUTE,
    FUNCTION_NODE_ATTRIBUTE,
    FUNCTION_DEFAULT_ATTRIBUTE,
    SUBGRAPH_INITIALIZER,
    TRAINING_INFO
  }

  public static final String INPUT = "x";
  public static final String OUTPUT = "y";
  private static final String LOCAL_DOMAIN = "local.functions";

  private HostileModels() {}

  /** The model with external data of 12 bytes (three floats) at {@code location}, offset 0. */
  public static byte[] externalAt(Place place, String location) {
    return externalAt(place, location, "0", "12");
  }

  /** The model with external data at {@code location}, {@code offset} and {@code length} as given. */
  public static byte[] externalAt(Place place, String location, String offset, String length) {
    TensorProto external = external("w_data", 3, location, offset, length);
    OnnxGraphBuilder g = OnnxGraphBuilder.graph("hostile_" + place.name().toLowerCase())
        .input(INPUT, DataType.FP32, 3)
        .output(OUTPUT, DataType.FP32, 3);
    ModelProto.Builder extra = ModelProto.newBuilder();
    switch (place) {
      case INITIALIZER -> g.initializer(external.toBuilder().setName("w").build());
      case SPARSE_INITIALIZER_VALUES, SPARSE_INITIALIZER_INDICES -> {
      } // added to the built graph below
      case ATTRIBUTE_TENSOR -> g.node("Constant", List.of(), List.of("w"), OnnxGraphBuilder.tensorAttr("value", external));
      case SPARSE_ATTRIBUTE -> g.node("Constant", List.of(), List.of("w"), AttributeProto.newBuilder()
          .setName("sparse_value").setType(AttributeProto.AttributeType.SPARSE_TENSOR)
          .setSparseTensor(sparse(external("w_values", 1, location, offset, "4"), embeddedIndices())).build());
      case FUNCTION_NODE_ATTRIBUTE, FUNCTION_DEFAULT_ATTRIBUTE -> {
        g.opset(LOCAL_DOMAIN, 1);
        g.node(NodeProto.newBuilder().setName("make_w").setOpType("MakeW").setDomain(LOCAL_DOMAIN)
            .addOutput("w").build());
        FunctionProto.Builder f = FunctionProto.newBuilder().setName("MakeW").setDomain(LOCAL_DOMAIN)
            .addOutput("out").addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17));
        if (place == Place.FUNCTION_NODE_ATTRIBUTE) {
          f.addNode(constant("out", OnnxGraphBuilder.tensorAttr("value", external)));
        } else {
          f.addAttributeProto(OnnxGraphBuilder.tensorAttr("weights", external));
          f.addNode(constant("out", AttributeProto.newBuilder().setName("value").setRefAttrName("weights")
              .setType(AttributeProto.AttributeType.TENSOR).build()));
        }
        extra.addFunctions(f);
      }
      case SUBGRAPH_INITIALIZER -> {
        g.initializer(TensorProto.newBuilder().setName("yes").setDataType(OnnxElementTypes.toOnnxCode(DataType.BOOL))
            .addInt32Data(1).build());
        GraphProto then = OnnxGraphBuilder.graph("then").initializer(external.toBuilder().setName("w_then").build())
            .node("Identity", List.of("w_then"), List.of("w_then_out"))
            .output("w_then_out", DataType.FP32, 3).build().getGraph();
        GraphProto otherwise = OnnxGraphBuilder.graph("else").initializer("w_else", new float[3], 3)
            .node("Identity", List.of("w_else"), List.of("w_else_out"))
            .output("w_else_out", DataType.FP32, 3).build().getGraph();
        g.node("If", List.of("yes"), List.of("w"),
            AttributeProto.newBuilder().setName("then_branch").setType(AttributeProto.AttributeType.GRAPH).setG(then).build(),
            AttributeProto.newBuilder().setName("else_branch").setType(AttributeProto.AttributeType.GRAPH).setG(otherwise).build());
      }
      case TRAINING_INFO -> {
        g.initializer("w", new float[3], 3);
        GraphProto init = OnnxGraphBuilder.graph("init").initializer(external.toBuilder().setName("w_init").build())
            .node("Identity", List.of("w_init"), List.of("w_new"))
            .output("w_new", DataType.FP32, 3).build().getGraph();
        extra.addTrainingInfo(TrainingInfoProto.newBuilder().setInitialization(init)
            .addInitializationBinding(StringStringEntryProto.newBuilder().setKey("w").setValue("w_new")));
      }
      default -> throw new IllegalArgumentException(place.name());
    }
    g.node("Add", List.of(INPUT, "w"), List.of(OUTPUT));
    ModelProto.Builder model = g.build().toBuilder().mergeFrom(extra.build());
    if (place == Place.SPARSE_INITIALIZER_VALUES) {
      model.getGraphBuilder().addSparseInitializer(sparse(external("w", 1, location, offset, "4"), embeddedIndices()));
    } else if (place == Place.SPARSE_INITIALIZER_INDICES) {
      TensorProto values = OnnxGraphBuilder.tensor("w", new float[] {1f}, 1);
      TensorProto indices = TensorProto.newBuilder().setName("w_indices")
          .setDataType(OnnxElementTypes.toOnnxCode(DataType.INT64)).addDims(1)
          .setDataLocation(TensorProto.DataLocation.EXTERNAL)
          .addExternalData(entry("location", location)).addExternalData(entry("offset", offset))
          .addExternalData(entry("length", "8")).build();
      model.getGraphBuilder().addSparseInitializer(sparse(values, indices));
    }
    return model.build().toByteArray();
  }

  private static TensorProto external(String name, int elements, String location, String offset, String length) {
    return TensorProto.newBuilder()
        .setName(name)
        .setDataType(OnnxElementTypes.toOnnxCode(DataType.FP32))
        .addDims(elements)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(entry("location", location))
        .addExternalData(entry("offset", offset))
        .addExternalData(entry("length", length))
        .build();
  }

  private static TensorProto embeddedIndices() {
    return OnnxGraphBuilder.tensor("w_indices", new long[] {0L}, 1);
  }

  private static SparseTensorProto sparse(TensorProto values, TensorProto indices) {
    return SparseTensorProto.newBuilder().setValues(values).setIndices(indices).addDims(3).build();
  }

  private static NodeProto constant(String output, AttributeProto value) {
    return NodeProto.newBuilder().setName("constant_" + output).setOpType("Constant").addOutput(output)
        .addAttribute(value).build();
  }

  private static StringStringEntryProto entry(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }
}
