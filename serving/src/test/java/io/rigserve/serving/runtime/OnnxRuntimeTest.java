package io.rigserve.serving.runtime;

import static io.rigserve.serving.testmodels.TestTensors.fp32;
import static io.rigserve.serving.testmodels.TestTensors.fp32Values;
import static org.junit.jupiter.api.Assertions.*;

import io.rigserve.serving.testmodels.TestModels;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import io.rigserve.sharding.tensor.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxRuntimeTest {

  private final OnnxRuntime runtime = new OnnxRuntime(RuntimeSettings.defaults());

  @Test
  void aFileThatIsNotOnnxFailsToLoadWithAClearMessage(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("broken.onnx");
    Files.writeString(file, "this is not a model, just some text", StandardCharsets.UTF_8);

    ModelLoadException e = assertThrows(ModelLoadException.class, () -> runtime.load(file));

    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().toLowerCase().contains("protobuf parsing failed"), e.getMessage());
  }

  @Test
  void bytesThatAreNotOnnxFailToLoadWithAClearMessage() {
    ModelLoadException e =
        assertThrows(ModelLoadException.class, () -> runtime.load(new byte[] {1, 2, 3, 4, 5}));
    assertTrue(e.getMessage().startsWith("cannot load in-memory model"), e.getMessage());
  }

  @Test
  void aMissingFileFailsToLoadNamingThePath(@TempDir Path dir) {
    Path file = dir.resolve("absent.onnx");
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> runtime.load(file));
    assertTrue(e.getMessage().contains("absent.onnx"), e.getMessage());
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void externalDataBesideTheModelFileIsFound(@TempDir Path dir) throws IOException {
    Path file = TestModels.writeExternalDataModel(dir, DataType.FP32);
    try (OnnxModel model = runtime.load(file)) {
      Tensor[] out =
          model.run(
              new Tensor[] {fp32(TestModels.EXTERNAL_INPUT, new long[] {1, 3}, 1f, 2f, 3f)},
              new String[0]);
      float[] w = TestModels.externalWeights();
      assertArrayEquals(new float[] {1f + w[0], 2f + w[1], 3f + w[2]}, fp32Values(out[0]));
    }
  }

  @Test
  void aModelWithAnUnsignedInputAndExternalDataLoadsFromItsFile(@TempDir Path dir) throws IOException {
    // UINT32 inputs take the rewritten-model path, which loads from memory: the external data
    // must still be found beside the original file.
    Path file = TestModels.writeExternalDataModel(dir, DataType.UINT32);
    try (OnnxModel model = runtime.load(file)) {
      assertEquals(
          List.of(new TensorSpec(TestModels.EXTERNAL_INPUT, DataType.UINT32, new long[] {-1, 3})),
          model.inputs());
      ByteBuffer x = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
      x.putInt(0).putInt(7).putInt((int) 4_000_000_000L);
      Tensor[] out =
          model.run(
              new Tensor[] {new Tensor(TestModels.EXTERNAL_INPUT, DataType.UINT32, new long[] {1, 3}, x.array())},
              new String[0]);
      float[] w = TestModels.externalWeights();
      assertArrayEquals(new float[] {0f + w[0], 7f + w[1], 4_000_000_000f + w[2]}, fp32Values(out[0]));
    }
  }

  @Test
  void modelsLoadAndRunUnderEveryOptimizationLevelAndThreadCount() {
    for (String level : RuntimeSettings.OPTIMIZATION_LEVELS) {
      OnnxRuntime tuned = new OnnxRuntime(new RuntimeSettings(2, 2, level));
      try (OnnxModel model = tuned.load(TestModels.convNet())) {
        Tensor[] out =
            model.run(
                new Tensor[] {fp32(TestModels.CONV_IMAGE, new long[] {1, 1, 8, 8}, new float[64])},
                new String[0]);
        assertArrayEquals(new long[] {1, 3}, out[0].shape(), level);
      }
    }
  }
}
