package io.rigserve.serving.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.error.ModelConflict;
import io.rigserve.serving.runtime.RuntimeSettings;
import io.rigserve.serving.runtime.TrialLoad;
import io.rigserve.serving.runtime.TrialLoadSettings;
import io.rigserve.serving.testmodels.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The repository is the disk: listed once, kept in memory, read again only when asked to. */
class ModelRepositoryTest {

  private static final byte[] MODEL = TestModels.castInt32ToFp64();

  @Test
  void whatIsOnDiskAtStartIsListedWithItsSha256AndLeftoverUploadsAreCleared(@TempDir Path root) throws Exception {
    write(root, "cast", "2");
    write(root, "cast", "10");
    Files.createDirectories(root.resolve(".staging/cast-3-123"));
    ModelRepository repository = open(root);
    assertEquals(List.of("cast/2", "cast/10"), names(repository.index()), "numeric version order");
    assertEquals(sha(MODEL), repository.index().get(0).sha256());
    assertEquals(sha(MODEL), Files.readString(root.resolve("cast/2/model.onnx.sha256"), StandardCharsets.UTF_8).trim(),
        "a version without a recorded sha256 has it recorded once");
    assertFalse(Files.exists(root.resolve(".staging")));
    assertTrue(repository.hasModel("cast"));
  }

  @Test
  void theIndexReadsMemoryAndARescanReadsTheFolderAgain(@TempDir Path root) throws Exception {
    ModelRepository repository = open(root);
    repository.store("cast", "1", MODEL);
    write(root, "cast", "2");
    assertEquals(List.of("cast/1"), names(repository.index()), "a version copied in by hand is not seen before a rescan");
    assertEquals(List.of("cast/1", "cast/2"), names(repository.rescan("cast")));
    assertEquals(List.of("cast/1", "cast/2"), names(repository.versions("cast")));

    Path away = root.resolveSibling(root.getFileName() + "-away");
    Files.move(root, away);
    try {
      assertEquals(List.of("cast/1", "cast/2"), names(repository.index()), "the index does not touch the disk");
      assertTrue(repository.rescan("cast").isEmpty(), "a folder gone is a model gone once read again");
      assertFalse(repository.hasModel("cast"));
    } finally {
      Files.move(away, root);
    }
  }

  @Test
  void namesThatAreNotPlainFoldersAndVersionsTakenAlreadyAreRefused(@TempDir Path root) throws Exception {
    ModelRepository repository = open(root);
    repository.store("cast", "1", MODEL);
    assertThrows(InvalidInput.class, () -> repository.versions("../cast"));
    assertThrows(InvalidInput.class, () -> repository.rescan(".hidden"));
    assertThrows(InvalidInput.class, () -> repository.stagingDir("cast", "v2"));
    assertThrows(ModelConflict.class, () -> repository.stagingDir("cast", "1"));
    assertFalse(repository.hasModel(null));
    assertFalse(repository.hasModel("../cast"));
  }

  private static ModelRepository open(Path root) {
    return new ModelRepository(root, new TrialLoad(TrialLoadSettings.defaults(), RuntimeSettings.defaults()));
  }

  private static void write(Path root, String name, String version) throws Exception {
    Path dir = Files.createDirectories(root.resolve(name).resolve(version));
    Files.write(dir.resolve(ModelRepository.MODEL_FILE), MODEL);
  }

  private static List<String> names(List<StoredVersion> versions) {
    return versions.stream().map(v -> v.name() + "/" + v.version()).toList();
  }

  private static String sha(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
