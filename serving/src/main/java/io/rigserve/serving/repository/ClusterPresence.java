package io.rigserve.serving.repository;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When this rig was last a working member of its cluster, kept beside its repository: a rig that
 * returns after longer than unloads are remembered cannot tell an unloaded version from one the
 * cluster never had, so it must not deploy its disk on its own say.
 */
public final class ClusterPresence {

  static final String FILE = ".last-in-cluster";
  private static final Logger log = LoggerFactory.getLogger(ClusterPresence.class);

  private final Path file;

  public ClusterPresence(Path repositoryRoot) {
    this.file = repositoryRoot.resolve(FILE);
  }

  /** The last time {@link #mark} was called on this folder, by this or an earlier run of the rig. */
  public Optional<Instant> last() {
    try {
      if (!Files.isRegularFile(file)) return Optional.empty();
      return Optional.of(Instant.ofEpochMilli(Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).trim())));
    } catch (IOException | NumberFormatException e) {
      log.warn("cannot read {}: {}; taken as never in a cluster", file, e.getMessage());
      return Optional.empty();
    }
  }

  /** True when the rig was in a cluster before and has been away from it longer than {@code limit}. */
  public boolean awayLongerThan(Duration limit, Instant now) {
    return last().map(seen -> Duration.between(seen, now).compareTo(limit) > 0).orElse(false);
  }

  /** Records that the rig is a working member now (written whole, then moved into place). */
  public void mark(Instant now) {
    try {
      Path next = file.resolveSibling(FILE + ".next");
      Files.writeString(next, Long.toString(now.toEpochMilli()) + "\n", StandardCharsets.UTF_8);
      Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.warn("cannot record cluster presence in {}: {}", file, e.getMessage());
    }
  }
}
