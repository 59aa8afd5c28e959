package io.rigserve.serving.repository;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.serving.error.InvalidModel;
import io.rigserve.serving.testmodels.HostileModels;
import io.rigserve.serving.testmodels.HostileModels.Place;
import io.rigserve.serving.testmodels.TestModels;
import io.rigserve.sharding.tensor.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ModelArtifactCheckTest {

  @TempDir Path root;

  @ParameterizedTest
  @EnumSource(Place.class)
  void externalDataEscapingTheFolderIsRefusedWhereverTheTensorSits(Place place) throws IOException {
    Path folder = modelFolder();
    Files.write(root.resolve("secret.bin"), new byte[64]);
    assertRefused(folder, HostileModels.externalAt(place, "../secret.bin"), "outside the model's folder");
  }

  @ParameterizedTest
  @EnumSource(Place.class)
  void externalDataAtAnAbsolutePathIsRefusedWhereverTheTensorSits(Place place) throws IOException {
    assertRefused(modelFolder(), HostileModels.externalAt(place, "/etc/passwd"), "absolute path");
  }

  @ParameterizedTest
  @EnumSource(Place.class)
  void onnxRuntimesMemoryAddressTagIsRefusedWhereverTheTensorSits(Place place) throws IOException {
    assertRefused(modelFolder(), HostileModels.externalAt(place, "*/_ORT_MEM_ADDR_/*", "4096", "12"),
        "special external data location");
  }

  @Test
  void anyLocationStartingWithAStarOrNamingTheTagIsRefused() throws IOException {
    Path folder = modelFolder();
    Files.write(folder.resolve("_ORT_MEM_ADDR_"), new byte[64]);
    assertRefused(folder, HostileModels.externalAt(Place.INITIALIZER, "*weights"), "special");
    assertRefused(folder, HostileModels.externalAt(Place.INITIALIZER, "_ORT_MEM_ADDR_"), "special");
  }

  @Test
  void aSymlinkInsideTheFolderPointingOutIsRefused() throws IOException {
    Path folder = modelFolder();
    Files.write(root.resolve("secret.bin"), new byte[64]);
    Files.createSymbolicLink(folder.resolve("weights.bin"), root.resolve("secret.bin"));
    Files.createSymbolicLink(folder.resolve("etc"), Path.of("/etc"));
    assertRefused(folder, HostileModels.externalAt(Place.SPARSE_INITIALIZER_VALUES, "weights.bin"), "through a link");
    assertRefused(folder, HostileModels.externalAt(Place.INITIALIZER, "etc/passwd"), "through a link");
  }

  @Test
  void offsetsAndLengthsMustBeNonNegativeNumbersWithinTheFile() throws IOException {
    Path folder = modelFolder();
    Files.write(folder.resolve("weights.bin"), new byte[12]);
    assertRefused(folder, HostileModels.externalAt(Place.INITIALIZER, "weights.bin", "-1", "12"), "not a non-negative number");
    assertRefused(folder, HostileModels.externalAt(Place.INITIALIZER, "weights.bin", "0", "-12"), "not a non-negative number");
    assertRefused(folder, HostileModels.externalAt(Place.INITIALIZER, "weights.bin", "0x10", "12"), "not a non-negative number");
    assertRefused(folder, HostileModels.externalAt(Place.INITIALIZER, "weights.bin", "4", "12"), "reads bytes 4+12");
    assertRefused(folder, HostileModels.externalAt(Place.INITIALIZER, "weights.bin", "13", "0"), "reads bytes 13+0");
    assertRefused(folder, HostileModels.externalAt(Place.INITIALIZER, "weights.bin", "0", "9223372036854775807"), "reads bytes");
    assertRefused(folder, HostileModels.externalAt(Place.INITIALIZER, "weights.bin", "99999999999999999999", "1"),
        "beyond any file size");
  }

  @Test
  void externalDataThatIsMissingOrAFolderIsRefused() throws IOException {
    Path folder = modelFolder();
    Files.createDirectories(folder.resolve("sub"));
    assertRefused(folder, HostileModels.externalAt(Place.ATTRIBUTE_TENSOR, "absent.bin"), "not present");
    assertRefused(folder, HostileModels.externalAt(Place.ATTRIBUTE_TENSOR, "sub"), "not a regular file");
    assertRefused(folder, HostileModels.externalAt(Place.ATTRIBUTE_TENSOR, "."), "outside the model's folder");
  }

  @ParameterizedTest
  @EnumSource(Place.class)
  void externalDataInsideTheFolderPassesWhereverTheTensorSits(Place place) throws IOException {
    Path folder = modelFolder();
    Files.createDirectories(folder.resolve("data"));
    Files.write(folder.resolve("data").resolve("weights.bin"), new byte[12]);
    Path model = folder.resolve("model.onnx");
    Files.write(model, HostileModels.externalAt(place, "data/../data/weights.bin"));
    assertDoesNotThrow(() -> ModelArtifactCheck.check(model));
  }

  @ParameterizedTest
  @EnumSource(Place.class)
  void aSelfContainedFileMayKeepNoDataOutsideItEvenInsideItsFolder(Place place) throws IOException {
    Path folder = modelFolder();
    Files.write(folder.resolve("weights.bin"), new byte[12]);
    Path model = folder.resolve("model.onnx");
    Files.write(model, HostileModels.externalAt(place, "weights.bin"));
    assertDoesNotThrow(() -> ModelArtifactCheck.check(model));
    InvalidModel e = assertThrows(InvalidModel.class, () -> ModelArtifactCheck.checkSelfContained(model));
    assertTrue(e.getMessage().contains("keeps its data outside the file"), e.getMessage());
  }

  @Test
  void aSelfContainedFilePassesTheSelfContainedCheck() throws IOException {
    Path model = modelFolder().resolve("model.onnx");
    Files.write(model, TestModels.convNet());
    assertDoesNotThrow(() -> ModelArtifactCheck.checkSelfContained(model));
  }

  @Test
  void theExternalDataTestModelPasses() throws IOException {
    Path model = TestModels.writeExternalDataModel(modelFolder(), DataType.FP32);
    assertDoesNotThrow(() -> ModelArtifactCheck.check(model));
  }

  @Test
  void aHugeHostileLocationIsNotEchoedWhole() throws IOException {
    String location = "../" + "a".repeat(100_000);
    InvalidModel e = assertThrows(InvalidModel.class, () -> check(modelFolder(), HostileModels.externalAt(Place.INITIALIZER, location)));
    assertTrue(e.getMessage().length() < 1000, "a message of " + e.getMessage().length() + " characters");
  }

  private Path modelFolder() throws IOException {
    return Files.createDirectories(root.resolve("m").resolve("1"));
  }

  private static void check(Path folder, byte[] model) throws IOException {
    Path file = folder.resolve("model.onnx");
    Files.write(file, model);
    ModelArtifactCheck.check(file);
  }

  private static void assertRefused(Path folder, byte[] model, String reason) {
    InvalidModel e = assertThrows(InvalidModel.class, () -> check(folder, model));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }
}
