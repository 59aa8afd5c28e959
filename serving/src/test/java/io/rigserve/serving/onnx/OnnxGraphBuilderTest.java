package io.rigserve.serving.onnx;

import static org.junit.jupiter.api.Assertions.*;

import io.rigserve.proto.onnx.AttributeProto;
import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.proto.onnx.TensorProto;
import io.rigserve.proto.onnx.TensorShapeProto;
import io.rigserve.serving.onnx.OnnxGraphBuilder.Dim;
import io.rigserve.sharding.tensor.DataType;
import java.util.List;
import org.junit.jupiter.api.Test;

class OnnxGraphBuilderTest {

  @Test
  void modelsDeclareIrVersion8AndDefaultOpset17() {
    ModelProto model =
        OnnxGraphBuilder.graph("g")
            .input("x", DataType.FP32, -1, 2)
            .node("Relu", List.of("x"), List.of("y"))
            .output("y", DataType.FP32, -1, 2)
            .build();
    assertEquals(8, model.getIrVersion());
    assertEquals(1, model.getOpsetImportCount());
    assertEquals("", model.getOpsetImport(0).getDomain());
    assertEquals(17, model.getOpsetImport(0).getVersion());
    assertEquals("g", model.getGraph().getName());
  }

  @Test
  void dynamicDimensionsAreUnknownOrNamedAndFixedOnesHaveValues() {
    ModelProto model =
        OnnxGraphBuilder.graph("g")
            .input("x", DataType.FP16, Dim.named("batch"), Dim.unknown(), Dim.of(3))
            .input("y", DataType.BYTES, -1)
            .node("Identity", List.of("x"), List.of("z"))
            .untypedOutput("z")
            .build();
    var x = model.getGraph().getInput(0).getType().getTensorType();
    assertEquals(TensorProto.DataType.FLOAT16.getNumber(), x.getElemType());
    List<TensorShapeProto.Dimension> dims = x.getShape().getDimList();
    assertEquals("batch", dims.get(0).getDimParam());
    assertEquals(TensorShapeProto.Dimension.ValueCase.VALUE_NOT_SET, dims.get(1).getValueCase());
    assertEquals(3, dims.get(2).getDimValue());
    assertEquals(
        TensorProto.DataType.STRING.getNumber(),
        model.getGraph().getInput(1).getType().getTensorType().getElemType());
    assertFalse(model.getGraph().getOutput(0).hasType());
  }

  @Test
  void initializersAreLittleEndianRawData() {
    TensorProto t = OnnxGraphBuilder.tensor("w", new float[] {1f, -2f}, 2);
    assertEquals(TensorProto.DataType.FLOAT.getNumber(), t.getDataType());
    assertEquals(List.of(2L), t.getDimsList());
    assertArrayEquals(
        new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0}, t.getRawData().toByteArray());

    TensorProto l = OnnxGraphBuilder.tensor("l", new long[] {1, 256}, 1, 2);
    assertEquals(TensorProto.DataType.INT64.getNumber(), l.getDataType());
    assertEquals(16, l.getRawData().size());
    assertEquals(1, l.getRawData().byteAt(8 + 1));
  }

  @Test
  void initializerValuesMustFillTheirDims() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OnnxGraphBuilder.graph("g").initializer("w", new float[] {1, 2, 3}, 2, 2));
    assertTrue(e.getMessage().contains("4 elements"), e.getMessage());
  }

  @Test
  void attributesCarryTheirTypes() {
    assertEquals(AttributeProto.AttributeType.INT, OnnxGraphBuilder.intAttr("axis", 1).getType());
    assertEquals(0.5f, OnnxGraphBuilder.floatAttr("alpha", 0.5f).getF());
    assertEquals(List.of(1L, 1L), OnnxGraphBuilder.intsAttr("strides", 1, 1).getIntsList());
    assertEquals(List.of(0.5f), OnnxGraphBuilder.floatsAttr("scales", 0.5f).getFloatsList());
    assertEquals("NOTSET", OnnxGraphBuilder.stringAttr("auto_pad", "NOTSET").getS().toStringUtf8());
    assertEquals(
        AttributeProto.AttributeType.TENSOR,
        OnnxGraphBuilder.tensorAttr("value", OnnxGraphBuilder.tensor("v", new int[] {1}, 1)).getType());
  }

  @Test
  void everyProtocolDatatypeMapsToAnOnnxElementTypeAndBack() {
    for (DataType datatype : DataType.values()) {
      assertEquals(
          datatype,
          OnnxElementTypes.fromOnnxCode(OnnxElementTypes.toOnnxCode(datatype)).orElseThrow(),
          datatype.name());
    }
    assertEquals(TensorProto.DataType.FLOAT16, OnnxElementTypes.toOnnx(DataType.FP16));
    assertEquals(TensorProto.DataType.STRING, OnnxElementTypes.toOnnx(DataType.BYTES));
    assertEquals(TensorProto.DataType.BFLOAT16, OnnxElementTypes.toOnnx(DataType.BF16));
    assertTrue(OnnxElementTypes.fromOnnx(TensorProto.DataType.COMPLEX64).isEmpty());
    assertTrue(OnnxElementTypes.fromOnnxCode(999).isEmpty());
  }
}
