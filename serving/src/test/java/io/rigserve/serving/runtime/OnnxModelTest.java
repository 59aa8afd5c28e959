package io.rigserve.serving.runtime;

import static io.rigserve.serving.testmodels.TestModels.*;
import static io.rigserve.serving.testmodels.TestTensors.*;
import static org.junit.jupiter.api.Assertions.*;

import io.rigserve.serving.demo.DemoModels;
import io.rigserve.serving.onnx.OnnxGraphBuilder;
import io.rigserve.serving.testmodels.TestModels;
import io.rigserve.sharding.replica.PartitionRuntime.RuntimeFailure;
import io.rigserve.sharding.tensor.BytesElements;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import io.rigserve.sharding.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnnxModelTest {

  private final OnnxRuntime runtime = new OnnxRuntime(RuntimeSettings.defaults());
  private OnnxModel mlp;
  private OnnxModel conv;
  private OnnxModel identity;

  @BeforeAll
  void loadModels() {
    mlp = runtime.load(TestModels.twoHeadMlp());
    conv = runtime.load(TestModels.convNet());
    identity = runtime.load(TestModels.allDatatypesIdentity());
  }

  @AfterAll
  void closeModels() {
    mlp.close();
    conv.close();
    identity.close();
  }

  // ---- metadata ----

  @Test
  void metadataReportsProtocolDatatypesAndDynamicDimensions() {
    assertEquals(
        List.of(
            new TensorSpec(MLP_FEATURES, DataType.FP32, new long[] {-1, MLP_IN}),
            new TensorSpec(MLP_OFFSET, DataType.FP32, new long[] {-1, MLP_CLASSES})),
        mlp.inputs());
    assertEquals(
        List.of(
            new TensorSpec(MLP_SCORES, DataType.FP32, new long[] {-1, MLP_CLASSES}),
            new TensorSpec(MLP_LABEL, DataType.INT64, new long[] {-1})),
        mlp.outputs());
    assertEquals(
        List.of(new TensorSpec(CONV_IMAGE, DataType.FP32, new long[] {-1, 1, 8, 8})), conv.inputs());
  }

  @Test
  void metadataNamesEveryProtocolDatatypeIncludingFp16AndBytes() {
    List<String> inputTypes = identity.inputs().stream().map(s -> s.datatype().protocolName()).toList();
    List<String> outputTypes = identity.outputs().stream().map(s -> s.datatype().protocolName()).toList();
    List<String> all = Arrays.stream(DataType.values()).map(DataType::protocolName).toList();
    assertEquals(all, inputTypes);
    assertEquals(all, outputTypes);
    for (TensorSpec spec : identity.inputs()) {
      assertArrayEquals(new long[] {-1}, spec.shape(), spec.toString());
    }
  }

  // ---- numerics ----

  @Test
  void mlpOutputsMatchAPlainJavaComputationOfTheSameWeights() {
    int batch = 6;
    Random random = new Random(42);
    float[] features = randomFloats(random, batch * MLP_IN);
    float[] offset = randomFloats(random, batch * MLP_CLASSES);

    Tensor[] out =
        mlp.run(
            new Tensor[] {
              fp32(MLP_OFFSET, new long[] {batch, MLP_CLASSES}, offset),
              fp32(MLP_FEATURES, new long[] {batch, MLP_IN}, features)
            },
            new String[0]);

    assertEquals(MLP_SCORES, out[0].name());
    assertEquals(DataType.FP32, out[0].datatype());
    assertArrayEquals(new long[] {batch, MLP_CLASSES}, out[0].shape());
    assertEquals(MLP_LABEL, out[1].name());
    assertEquals(DataType.INT64, out[1].datatype());
    assertArrayEquals(new long[] {batch}, out[1].shape());

    double[] expected = referenceMlp(features, offset, batch);
    assertClose(expected, fp32Values(out[0]));
    long[] labels = int64Values(out[1]);
    for (int n = 0; n < batch; n++) {
      assertEquals(argMax(expected, n * MLP_CLASSES, MLP_CLASSES), labels[n], "row " + n);
    }
  }

  @Test
  void requestedOutputsComeBackInTheRequestedOrder() {
    Tensor[] out =
        mlp.run(
            new Tensor[] {
              fp32(MLP_FEATURES, new long[] {1, MLP_IN}, 1, 2, 3, 4),
              fp32(MLP_OFFSET, new long[] {1, MLP_CLASSES}, 0, 0, 10)
            },
            new String[] {MLP_LABEL});
    assertEquals(1, out.length);
    assertEquals(MLP_LABEL, out[0].name());
    assertArrayEquals(new long[] {2}, int64Values(out[0]));
  }

  @Test
  void convNetOutputsMatchAPlainJavaConvolutionPoolAndGemm() {
    int batch = 3;
    float[] image = randomFloats(new Random(7), batch * CONV_SIZE * CONV_SIZE);

    Tensor[] out =
        conv.run(new Tensor[] {fp32(CONV_IMAGE, new long[] {batch, 1, CONV_SIZE, CONV_SIZE}, image)}, null);

    assertArrayEquals(new long[] {batch, CONV_CLASSES}, out[0].shape());
    assertClose(referenceConvNet(image, batch), fp32Values(out[0]));
  }

  @Test
  void castModelTurnsInt32IntoTheSameFp64Values() {
    try (OnnxModel cast = runtime.load(TestModels.castInt32ToFp64())) {
      Tensor[] out =
          cast.run(
              new Tensor[] {int32(CAST_INPUT, new long[] {2, 2}, 0, -7, Integer.MAX_VALUE, Integer.MIN_VALUE)},
              new String[] {CAST_OUTPUT});
      assertEquals(DataType.FP64, out[0].datatype());
      assertArrayEquals(
          new double[] {0, -7, Integer.MAX_VALUE, Integer.MIN_VALUE}, fp64Values(out[0]));
    }
  }

  @Test
  void theDemoModelLoadsAndEachRowOfProbabilitiesSumsToOne() {
    try (OnnxModel demo = runtime.load(DemoModels.mlp())) {
      assertEquals(
          List.of(new TensorSpec(DemoModels.MLP_INPUT, DataType.FP32, new long[] {-1, 4})), demo.inputs());
      assertEquals(
          List.of(new TensorSpec(DemoModels.MLP_OUTPUT, DataType.FP32, new long[] {-1, 3})), demo.outputs());
      int batch = 4;
      float[] input = randomFloats(new Random(3), batch * 4);
      Tensor[] out =
          demo.run(new Tensor[] {fp32(DemoModels.MLP_INPUT, new long[] {batch, 4}, input)}, new String[0]);
      float[] p = fp32Values(out[0]);
      assertEquals(batch * 3, p.length);
      for (int n = 0; n < batch; n++) {
        double sum = 0;
        for (int k = 0; k < 3; k++) {
          assertTrue(p[n * 3 + k] > 0 && p[n * 3 + k] < 1, "probability " + p[n * 3 + k]);
          sum += p[n * 3 + k];
        }
        assertEquals(1.0, sum, 1e-5, "row " + n);
      }
    }
  }

  @Test
  void theDemoModelIsTheSameOnEveryBuild() {
    assertArrayEquals(DemoModels.mlp(), DemoModels.mlp());
  }

  // ---- datatypes ----

  @Test
  void everyDatatypeRoundTripsByteExactThroughIdentity() {
    List<Tensor> inputs = new ArrayList<>();
    for (DataType datatype : DataType.values()) {
      inputs.add(sample(datatype));
    }

    Tensor[] out = identity.run(inputs.toArray(Tensor[]::new), new String[0]);

    assertEquals(DataType.values().length, out.length);
    for (int i = 0; i < out.length; i++) {
      Tensor in = inputs.get(i);
      DataType datatype = in.datatype();
      assertEquals(identityOutput(datatype), out[i].name());
      assertEquals(datatype, out[i].datatype());
      assertArrayEquals(in.shape(), out[i].shape(), datatype.name());
      assertArrayEquals(in.data(), out[i].data(), datatype + " bytes differ");
    }
  }

  @Test
  void bytesTensorsKeepTextThatIsNotAscii() {
    String[] text = {"héllo wörld", "日本語", "emoji 😀", "", "nul\0inside"};
    Tensor[] out =
        identity.run(
            withSamplesExcept(DataType.BYTES, bytes(identityInput(DataType.BYTES), new long[] {5}, text)),
            new String[] {identityOutput(DataType.BYTES)});
    assertArrayEquals(text, bytesValues(out[0]));
  }

  @Test
  void emptyTensorsRoundTrip() {
    Tensor[] inputs = new Tensor[DataType.values().length];
    for (DataType datatype : DataType.values()) {
      inputs[datatype.ordinal()] = new Tensor(identityInput(datatype), datatype, new long[] {0}, new byte[0]);
    }
    Tensor[] out = identity.run(inputs, new String[0]);
    for (Tensor t : out) {
      assertArrayEquals(new long[] {0}, t.shape(), t.name());
      assertEquals(0, t.data().length, t.name());
    }
  }

  // ---- refused requests ----

  @Test
  void anUnknownOutputNameIsAClientError() {
    RuntimeFailure failure =
        assertThrows(RuntimeFailure.class, () -> mlp.run(mlpInputs(), new String[] {"nonexistent"}));
    assertTrue(failure.clientError());
    assertTrue(failure.getMessage().contains("nonexistent"), failure.getMessage());
  }

  @Test
  void anUnknownInputNameIsAClientError() {
    Tensor[] inputs = mlpInputs();
    inputs[1] = inputs[1].renamed("bias");
    RuntimeFailure failure = assertThrows(RuntimeFailure.class, () -> mlp.run(inputs, new String[0]));
    assertTrue(failure.clientError());
    assertTrue(failure.getMessage().contains("unknown input 'bias'"), failure.getMessage());
  }

  @Test
  void aMissingInputIsAClientError() {
    RuntimeFailure failure =
        assertThrows(RuntimeFailure.class, () -> mlp.run(new Tensor[] {mlpInputs()[0]}, new String[0]));
    assertTrue(failure.clientError());
    assertTrue(failure.getMessage().contains(MLP_OFFSET), failure.getMessage());
  }

  @Test
  void aWrongElementTypeIsAClientError() {
    Tensor[] inputs = mlpInputs();
    inputs[0] = fp64(MLP_FEATURES, new long[] {1, MLP_IN}, 1, 2, 3, 4);
    RuntimeFailure failure = assertThrows(RuntimeFailure.class, () -> mlp.run(inputs, new String[0]));
    assertTrue(failure.clientError());
    assertTrue(failure.getMessage().contains("FP64"), failure.getMessage());
    assertTrue(failure.getMessage().contains("FP32"), failure.getMessage());
  }

  @Test
  void aShapeTheModelCannotTakeIsAClientError() {
    Tensor[] inputs = mlpInputs();
    inputs[0] = fp32(MLP_FEATURES, new long[] {2, 2}, 1, 2, 3, 4);
    RuntimeFailure failure = assertThrows(RuntimeFailure.class, () -> mlp.run(inputs, new String[0]));
    assertTrue(failure.clientError());
    assertTrue(failure.getMessage().contains("[2, 2]"), failure.getMessage());
  }

  @Test
  void dataThatDoesNotFillTheShapeIsAClientError() {
    Tensor[] inputs = mlpInputs();
    inputs[0] = new Tensor(MLP_FEATURES, DataType.FP32, new long[] {1, MLP_IN}, new byte[15]);
    RuntimeFailure failure = assertThrows(RuntimeFailure.class, () -> mlp.run(inputs, new String[0]));
    assertTrue(failure.clientError());
    assertTrue(failure.getMessage().contains("15 bytes"), failure.getMessage());
  }

  @Test
  void inputsThatDisagreeOnANamedDimensionAreAClientError() {
    Tensor[] inputs = {
      fp32(MLP_FEATURES, new long[] {2, MLP_IN}, 1, 2, 3, 4, 5, 6, 7, 8),
      fp32(MLP_OFFSET, new long[] {3, MLP_CLASSES}, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    };
    RuntimeFailure failure = assertThrows(RuntimeFailure.class, () -> mlp.run(inputs, new String[0]));
    assertTrue(failure.clientError(), failure.getMessage());
    assertTrue(failure.getMessage().contains("'batch'"), failure.getMessage());
  }

  @Test
  void malformedBytesDataIsAClientError() {
    Tensor broken = new Tensor(identityInput(DataType.BYTES), DataType.BYTES, new long[] {2}, new byte[] {5, 0, 0, 0, 'a'});
    RuntimeFailure failure =
        assertThrows(RuntimeFailure.class, () -> identity.run(withSamplesExcept(DataType.BYTES, broken), new String[0]));
    assertTrue(failure.clientError());
    assertTrue(failure.getMessage().contains(identityInput(DataType.BYTES)), failure.getMessage());
  }

  @Test
  void bytesThatAreNotUtf8AreAClientError() {
    byte[] data = BytesElements.encode(new byte[][] {{(byte) 0xff, (byte) 0xfe}});
    Tensor binary = new Tensor(identityInput(DataType.BYTES), DataType.BYTES, new long[] {1}, data);
    RuntimeFailure failure =
        assertThrows(RuntimeFailure.class, () -> identity.run(withSamplesExcept(DataType.BYTES, binary), new String[0]));
    assertTrue(failure.clientError());
    assertTrue(failure.getMessage().contains("UTF-8"), failure.getMessage());
  }

  // ---- closing ----

  @Test
  void aModelClosedDuringRunsFinishesThemFirst() throws Exception {
    OnnxModel model = runtime.load(TestModels.convNet());
    int batch = 4;
    float[] image = randomFloats(new Random(11), batch * CONV_SIZE * CONV_SIZE);
    double[] expected = referenceConvNet(image, batch);
    Tensor[] inputs = {fp32(CONV_IMAGE, new long[] {batch, 1, CONV_SIZE, CONV_SIZE}, image)};

    ExecutorService pool = Executors.newFixedThreadPool(6);
    CountDownLatch enoughStarted = new CountDownLatch(200);
    List<Future<Boolean>> runs = new ArrayList<>();
    try {
      for (int i = 0; i < 3000; i++) {
        runs.add(
            pool.submit(
                () -> {
                  enoughStarted.countDown();
                  try {
                    Tensor[] out = model.run(inputs, new String[0]);
                    assertClose(expected, fp32Values(out[0]));
                    return true;
                  } catch (RuntimeFailure f) {
                    assertEquals("model is unloading", f.getMessage());
                    assertFalse(f.clientError());
                    return false;
                  }
                }));
      }
      assertTrue(enoughStarted.await(60, TimeUnit.SECONDS));
      model.close();

      int succeeded = 0;
      int refused = 0;
      for (Future<Boolean> run : runs) {
        try {
          if (run.get(60, TimeUnit.SECONDS)) {
            succeeded++;
          } else {
            refused++;
          }
        } catch (ExecutionException e) {
          fail("a run neither succeeded nor was refused as unloading", e.getCause());
        }
      }
      assertTrue(succeeded >= 190, "runs started before close: " + succeeded);
      assertTrue(refused > 0, "no run was refused after close");
      assertTrue(model.awaitClosed(Duration.ofSeconds(30)));
    } finally {
      pool.shutdownNow();
    }
    RuntimeFailure late = assertThrows(RuntimeFailure.class, () -> model.run(inputs, new String[0]));
    assertEquals("model is unloading", late.getMessage());
  }

  @Test
  void theSessionIsReleasedOnlyWhenTheLastRunEnds() throws Exception {
    // Several gigaflops per run: long enough to close the model while it is surely running.
    int size = 512;
    int layers = 64;
    OnnxGraphBuilder b =
        OnnxGraphBuilder.graph("slow")
            .input("x", DataType.FP32, size, size)
            .initializer("eye", identityMatrix(size), size, size);
    String previous = "x";
    for (int i = 0; i < layers; i++) {
      String next = i == layers - 1 ? "y" : "h" + i;
      b.node("MatMul", List.of(previous, "eye"), List.of(next));
      previous = next;
    }
    OnnxModel slow = runtime.load(b.output("y", DataType.FP32, size, size).toBytes());
    float[] x = randomFloats(new Random(5), size * size);

    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      CountDownLatch started = new CountDownLatch(1);
      Future<Tensor[]> run =
          pool.submit(
              () -> {
                started.countDown();
                return slow.run(new Tensor[] {fp32("x", new long[] {size, size}, x)}, new String[0]);
              });
      assertTrue(started.await(10, TimeUnit.SECONDS));
      Thread.sleep(20);
      slow.close();
      boolean releasedWhileRunning = slow.awaitClosed(Duration.ZERO);
      Tensor[] out = run.get(60, TimeUnit.SECONDS);

      assertFalse(releasedWhileRunning, "the session was released while a run was in flight");
      assertArrayEquals(x, fp32Values(out[0]));
      assertTrue(slow.awaitClosed(Duration.ofSeconds(10)));
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- helpers ----

  private static Tensor[] mlpInputs() {
    return new Tensor[] {
      fp32(MLP_FEATURES, new long[] {1, MLP_IN}, 1, 2, 3, 4),
      fp32(MLP_OFFSET, new long[] {1, MLP_CLASSES}, 0, 0, 0)
    };
  }

  private static Tensor[] withSamplesExcept(DataType replaced, Tensor replacement) {
    Tensor[] inputs = new Tensor[DataType.values().length];
    for (DataType datatype : DataType.values()) {
      inputs[datatype.ordinal()] = datatype == replaced ? replacement : sample(datatype);
    }
    return inputs;
  }

  /** Values at the edges of each type's range, as little-endian bytes. */
  private static Tensor sample(DataType datatype) {
    String name = identityInput(datatype);
    if (datatype == DataType.BYTES) {
      return bytes(name, new long[] {3}, "hello", "", "wörld");
    }
    long[] bits =
        switch (datatype) {
          case BOOL -> new long[] {1, 0, 1};
          case UINT8 -> new long[] {0, 0xff, 0x80};
          case INT8 -> new long[] {-128, 127, 0};
          case UINT16 -> new long[] {0xffff, 0, 0x8001};
          case INT16 -> new long[] {Short.MIN_VALUE, Short.MAX_VALUE, -1};
          case FP16 -> new long[] {0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000};
          case BF16 -> new long[] {0x3f80, 0xc000, 0x7f7f, 0x0001, 0x8000};
          case UINT32 -> new long[] {0xffffffffL, 0x80000000L, 7};
          case INT32 -> new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE, -1};
          case FP32 -> new long[] {
            Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Float.MIN_VALUE),
            Float.floatToRawIntBits(Float.MAX_VALUE), Float.floatToRawIntBits(-1.5f)
          };
          case UINT64 -> new long[] {-1L, Long.MIN_VALUE, 42};
          case INT64 -> new long[] {Long.MIN_VALUE, Long.MAX_VALUE, -1};
          case FP64 -> new long[] {
            Double.doubleToRawLongBits(-0d), Double.doubleToRawLongBits(Double.MIN_VALUE),
            Double.doubleToRawLongBits(Double.MAX_VALUE), Double.doubleToRawLongBits(Math.PI)
          };
          case BYTES -> throw new AssertionError();
        };
    int size = datatype.elementSize();
    ByteBuffer data = ByteBuffer.allocate(bits.length * size).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : bits) {
      switch (size) {
        case 1 -> data.put((byte) v);
        case 2 -> data.putShort((short) v);
        case 4 -> data.putInt((int) v);
        default -> data.putLong(v);
      }
    }
    return new Tensor(name, datatype, new long[] {bits.length}, data.array());
  }

  private static double[] referenceMlp(float[] features, float[] offset, int batch) {
    float[] w1 = mlpW1();
    float[] b1 = mlpB1();
    float[] w2 = mlpW2();
    float[] b2 = mlpB2();
    double[] scores = new double[batch * MLP_CLASSES];
    for (int n = 0; n < batch; n++) {
      double[] hidden = new double[MLP_HIDDEN];
      for (int j = 0; j < MLP_HIDDEN; j++) {
        double sum = b1[j];
        for (int i = 0; i < MLP_IN; i++) {
          sum += features[n * MLP_IN + i] * w1[i * MLP_HIDDEN + j];
        }
        hidden[j] = Math.max(0, sum);
      }
      for (int k = 0; k < MLP_CLASSES; k++) {
        double sum = b2[k] + offset[n * MLP_CLASSES + k];
        for (int j = 0; j < MLP_HIDDEN; j++) {
          sum += hidden[j] * w2[j * MLP_CLASSES + k];
        }
        scores[n * MLP_CLASSES + k] = sum;
      }
    }
    return scores;
  }

  private static double[] referenceConvNet(float[] image, int batch) {
    float[] w = convWeights();
    float[] b = convBias();
    float[] fc = fcWeights();
    float[] fcb = fcBias();
    int s = CONV_SIZE;
    int half = s / 2;
    double[] logits = new double[batch * CONV_CLASSES];
    for (int n = 0; n < batch; n++) {
      double[] flat = new double[CONV_FLAT];
      for (int f = 0; f < CONV_FILTERS; f++) {
        double[][] activation = new double[s][s];
        for (int y = 0; y < s; y++) {
          for (int x = 0; x < s; x++) {
            double sum = b[f];
            for (int ky = 0; ky < CONV_KERNEL; ky++) {
              for (int kx = 0; kx < CONV_KERNEL; kx++) {
                int iy = y + ky - 1;
                int ix = x + kx - 1;
                if (iy >= 0 && iy < s && ix >= 0 && ix < s) {
                  sum += image[n * s * s + iy * s + ix] * w[f * 9 + ky * 3 + kx];
                }
              }
            }
            activation[y][x] = Math.max(0, sum);
          }
        }
        for (int py = 0; py < half; py++) {
          for (int px = 0; px < half; px++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int dy = 0; dy < 2; dy++) {
              for (int dx = 0; dx < 2; dx++) {
                max = Math.max(max, activation[2 * py + dy][2 * px + dx]);
              }
            }
            flat[f * half * half + py * half + px] = max;
          }
        }
      }
      for (int k = 0; k < CONV_CLASSES; k++) {
        double sum = fcb[k];
        for (int i = 0; i < CONV_FLAT; i++) {
          sum += flat[i] * fc[i * CONV_CLASSES + k];
        }
        logits[n * CONV_CLASSES + k] = sum;
      }
    }
    return logits;
  }

  private static void assertClose(double[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      double tolerance = 1e-5 * Math.max(1.0, Math.abs(expected[i]));
      assertEquals(expected[i], actual[i], tolerance, "element " + i);
    }
  }

  private static int argMax(double[] values, int from, int count) {
    int best = 0;
    for (int i = 1; i < count; i++) {
      if (values[from + i] > values[from + best]) {
        best = i;
      }
    }
    return best;
  }

  private static float[] randomFloats(Random random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextGaussian());
    }
    return v;
  }

  private static float[] identityMatrix(int size) {
    float[] m = new float[size * size];
    for (int i = 0; i < size; i++) {
      m[i * size + i] = 1f;
    }
    return m;
  }
}
