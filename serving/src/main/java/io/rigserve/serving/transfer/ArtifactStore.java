package io.rigserve.serving.transfer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import io.rigserve.serving.repository.Sha256;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Partition files this rig keeps on local disk ({@code <root>/<model>/<version>/p<i>.onnx}, with
 * the sha256 beside each). A file counts only once its content hashes to the expected digest, so
 * after a restart valid files are reused without the network and damaged ones are fetched again.
 * A {@link VerifiedStamp} beside each verified file spares hashing it again while it is unchanged.
 */
public final class ArtifactStore {

  private final Path root;
  /** Files already hashed since start: path -> digest. */
  private final Map<Path, String> verified = new ConcurrentHashMap<>();

  public ArtifactStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
    try {
      Files.createDirectories(this.root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the artifact store at " + root, e);
    }
  }

  /** The local file of {@code id} if present and its content has digest {@code sha256}. */
  public Optional<Path> valid(ArtifactId id, String sha256) {
    Path file = root.resolve(id.relativePath());
    if (!Files.isRegularFile(file)) return Optional.empty();
    String digest = verified.computeIfAbsent(file, ArtifactStore::stampedOrHashed);
    if (digest.equals(sha256)) return Optional.of(file);
    verified.remove(file);
    return Optional.empty();
  }

  /** The local file of {@code id}, whatever its digest (for serving it to peers). */
  public Optional<Path> file(ArtifactId id) {
    Path file = root.resolve(id.relativePath());
    return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
  }

  /** The recorded digest of {@code id}, if any. */
  public Optional<String> recordedSha(ArtifactId id) {
    Path sha = shaFile(root.resolve(id.relativePath()));
    try {
      return Files.isRegularFile(sha) ? Optional.of(Files.readString(sha, StandardCharsets.UTF_8).trim()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Stores bytes produced on this rig (by the partitioner) and returns their digest. */
  public String put(ArtifactId id, byte[] content) {
    try {
      Path staged = newStagingFile(id);
      Files.write(staged, content);
      MessageDigest md = Sha256.newDigest();
      md.update(content);
      String sha = Sha256.hex(md);
      install(id, staged, sha);
      return sha;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store " + id, e);
    }
  }

  /** A temporary file beside the final place, for a download in progress. */
  Path newStagingFile(ArtifactId id) throws IOException {
    Path dir = root.resolve(id.relativePath()).getParent();
    Files.createDirectories(dir);
    return Files.createTempFile(dir, ".incoming-", ".part");
  }

  /** Moves a complete, verified file into place atomically and records its digest. */
  Path install(ArtifactId id, Path staged, String sha256) throws IOException {
    Path file = root.resolve(id.relativePath());
    Files.writeString(shaFile(file), sha256 + "\n", StandardCharsets.UTF_8);
    Files.move(staged, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    VerifiedStamp.settle(file);
    VerifiedStamp.of(file, sha256).write(stampFile(file));
    verified.put(file, sha256);
    return file;
  }

  private static Path shaFile(Path file) {
    return file.resolveSibling(file.getFileName() + ".sha256");
  }

  private static Path stampFile(Path file) {
    return file.resolveSibling(file.getFileName() + ".verified");
  }

  /** The digest a valid stamp records, else the content's own (stamped when the file has settled); empty when unreadable. */
  private static String stampedOrHashed(Path file) {
    Optional<VerifiedStamp> stamp = VerifiedStamp.read(stampFile(file)).filter(s -> s.holdsFor(file));
    if (stamp.isPresent()) return stamp.get().sha256();
    try {
      boolean settled = VerifiedStamp.settled(file);
      VerifiedStamp before = VerifiedStamp.of(file, "");
      String digest = Sha256.of(file);
      // Stamped only if nothing wrote to the file while it was hashed.
      if (settled && before.holdsFor(file)) VerifiedStamp.of(file, digest).write(stampFile(file));
      return digest;
    } catch (IOException e) {
      return "";
    }
  }
}
