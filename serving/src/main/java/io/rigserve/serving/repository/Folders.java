package io.rigserve.serving.repository;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removal of folder trees left by staging. */
final class Folders {

  private Folders() {}

  /** Deletes {@code dir} and everything below it; a failure leaves the rest for the next start. */
  static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // removed at the next start
    }
  }
}
