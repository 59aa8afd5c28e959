package io.rigserve.serving.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.serving.onnx.OnnxGraphBuilder;
import io.rigserve.serving.testmodels.HostileModels;
import io.rigserve.serving.testmodels.HostileModels.Place;
import io.rigserve.serving.testmodels.TestModels;
import io.rigserve.sharding.tensor.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trial load of uploads in a child JVM: these tests bypass ModelArtifactCheck on purpose. */
class TrialLoadTest {

  private final TrialLoad trial = new TrialLoad(TrialLoadSettings.defaults(), RuntimeSettings.defaults());

  @TempDir Path dir;

  @Test
  void theChildReportsTheSignatureOnnxRuntimeReportsInProcess() throws IOException {
    Path file = write("model.onnx", TestModels.twoHeadMlp());
    TrialLoad.Signature signature = trial.run(file);
    try (OnnxModel direct = new OnnxRuntime(RuntimeSettings.defaults()).load(file)) {
      assertEquals(direct.inputs(), signature.inputs());
      assertEquals(direct.outputs(), signature.outputs());
    }
  }

  @Test
  void aModelOnnxRuntimeRefusesIsRefusedWithOnnxRuntimesReason() throws IOException {
    byte[] unknownOp = OnnxGraphBuilder.graph("unknown_op")
        .input("x", DataType.FP32, 3)
        .node("NoSuchOperator", List.of("x"), List.of("y"))
        .output("y", DataType.FP32, 3)
        .toBytes();
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> trial.run(write("model.onnx", unknownOp)));
    assertTrue(e.getMessage().contains("NoSuchOperator"), e.getMessage());
  }

  @Test
  void aModelThatCrashesOnnxRuntimeKillsOnlyTheTrialProcess() throws IOException {
    // A sparse initializer whose values ONNX Runtime reads from the "address" 16: a segfault.
    byte[] crashing = HostileModels.externalAt(Place.SPARSE_INITIALIZER_VALUES, "*/_ORT_MEM_ADDR_/*", "16", "4");
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> trial.run(write("model.onnx", crashing)));
    assertTrue(e.getMessage().contains("ONNX Runtime crashed while loading the model (SIGSEGV"), e.getMessage());

    // This JVM, with ONNX Runtime loaded in it, lives on and still loads models, in a child and here.
    Path good = write("good.onnx", TestModels.castInt32ToFp64());
    assertEquals(1, trial.run(good).inputs().size());
    try (OnnxModel model = new OnnxRuntime(RuntimeSettings.defaults()).load(good)) {
      assertEquals(1, model.inputs().size());
    }
  }

  @Test
  void aTrialThatOutlivesItsTimeoutIsKilledAndRefused() throws IOException {
    TrialLoadSettings d = TrialLoadSettings.defaults();
    TrialLoad hasty = new TrialLoad(new TrialLoadSettings(Duration.ofMillis(200), d.heap(), d.directMemory(),
        d.addressSpace()), RuntimeSettings.defaults());
    long before = childCount();
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> hasty.run(write("model.onnx", TestModels.convNet())));
    assertTrue(e.getMessage().contains("did not finish loading the model within"), e.getMessage());
    assertEquals(before, childCount(), "the timed-out child was left running");
  }

  @Test
  void aModelNeedingMoreNativeMemoryThanTheBoundIsRefused() throws IOException {
    // Constant folding at load expands one float into 4 GiB, natively, beyond a 2 GiB address space.
    byte[] greedy = OnnxGraphBuilder.graph("greedy")
        .input("x", DataType.FP32, 1)
        .initializer("one", new float[] {1f})
        .initializer("huge", new long[] {1L << 30}, 1)
        .node("Expand", List.of("one", "huge"), List.of("big"))
        .node("ReduceSum", List.of("big"), List.of("sum"))
        .node("Add", List.of("x", "sum"), List.of("y"))
        .output("y", DataType.FP32, 1)
        .toBytes();
    TrialLoadSettings d = TrialLoadSettings.defaults();
    TrialLoad bounded = new TrialLoad(new TrialLoadSettings(d.timeout(), d.heap(), d.directMemory(), 2L << 30),
        RuntimeSettings.defaults());
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> bounded.run(write("model.onnx", greedy)));
    assertTrue(e.getMessage().contains("bad_alloc"), e.getMessage());
  }

  @Test
  void aTrialLoadLeavesNoFilesBehind() throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    long before = trialFolders(tmp);
    trial.run(write("model.onnx", TestModels.convNet()));
    assertEquals(before, trialFolders(tmp));
  }

  @Test
  void onnxRuntimeItselfRefusesExternalDataOutsideTheModelsFolder() throws IOException {
    Files.write(dir.getParent().resolve("secret-" + dir.getFileName() + ".bin"), new byte[12]);
    Path file = write("model.onnx",
        HostileModels.externalAt(Place.INITIALIZER, "../secret-" + dir.getFileName() + ".bin"));
    ModelLoadException e = assertThrows(ModelLoadException.class,
        () -> new OnnxRuntime(RuntimeSettings.defaults()).load(file).close());
    assertTrue(e.getMessage().toLowerCase().contains("external data"), e.getMessage());
  }

  private Path write(String name, byte[] model) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, model);
    return file;
  }

  private static long childCount() {
    return ProcessHandle.current().children().count();
  }

  private static long trialFolders(Path tmp) throws IOException {
    try (Stream<Path> all = Files.list(tmp)) {
      return all.filter(p -> p.getFileName().toString().startsWith("rigserve-trial-")).count();
    }
  }
}
