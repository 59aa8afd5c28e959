package io.rigserve.serving.transfer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A note beside a partition file that its content hashed to {@code sha256} when it had this size
 * and modification time. While both are unchanged the digest is trusted, so a restarted rig does
 * not hash gigabytes again before it serves; a rewrite or a truncation changes them, and the file
 * is hashed anew.
 */
record VerifiedStamp(String sha256, long size, long modifiedNanos) {

  /**
   * How far in the past a stamped file's modification time must lie: file systems keep times in
   * coarse ticks, and a write within the same tick as the stamp must still change the time.
   */
  static final Duration SETTLED = Duration.ofSeconds(2);

  /** The stamp of {@code file} as it is now, with the digest its content was just found to have. */
  static VerifiedStamp of(Path file, String sha256) throws IOException {
    return new VerifiedStamp(sha256, Files.size(file), Files.getLastModifiedTime(file).to(TimeUnit.NANOSECONDS));
  }

  /** Whether {@code file}'s time lies far enough in the past for a later write to change it. */
  static boolean settled(Path file) throws IOException {
    return Files.getLastModifiedTime(file).toInstant().isBefore(Instant.now().minus(SETTLED));
  }

  /** Sets a just-verified file's time into the past, so that it can be stamped at once. */
  static void settle(Path file) throws IOException {
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(SETTLED).minusMillis(1)));
  }

  static Optional<VerifiedStamp> read(Path stampFile) {
    try {
      if (!Files.isRegularFile(stampFile) || Files.size(stampFile) > 256) return Optional.empty();
      String[] parts = Files.readString(stampFile, StandardCharsets.UTF_8).trim().split(" ");
      if (parts.length != 3) return Optional.empty();
      return Optional.of(new VerifiedStamp(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2])));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // unreadable: the file is hashed as if there were none
    }
  }

  void write(Path stampFile) throws IOException {
    Files.writeString(stampFile, sha256 + " " + size + " " + modifiedNanos + "\n", StandardCharsets.UTF_8);
  }

  /** Whether {@code file} still has the size and time it had when it was stamped. */
  boolean holdsFor(Path file) {
    try {
      return Files.size(file) == size && Files.getLastModifiedTime(file).to(TimeUnit.NANOSECONDS) == modifiedNanos;
    } catch (IOException e) {
      return false;
    }
  }
}
