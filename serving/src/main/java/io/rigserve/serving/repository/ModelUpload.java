package io.rigserve.serving.repository;

import io.rigserve.serving.error.InvalidModel;
import io.rigserve.serving.error.Overloaded;
import io.rigserve.serving.error.PayloadTooLarge;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Receives a new model version as a byte stream: written to a staging folder chunk by chunk
 * (never held in memory), hashed on the way, then checked and moved into the repository. A
 * failed or refused upload leaves nothing behind.
 *
 * <p>Bounded three ways: the route limits one upload's size; at most {@code maxInFlight} are
 * received at once (429 beyond); and the bytes actually received, with those of the uploads in
 * progress, never take the repository folder past {@code maxDiskBytes} (413 when they would).
 */
public final class ModelUpload {

  /** What was stored. */
  public record Receipt(String name, String version, String sha256, long bytes) {}

  private static final String STAGING = ".staging";

  private final ModelRepository repository;
  private final Executor blocking;
  private final Materializer materializer;
  private final int maxInFlight;
  private final Semaphore slots;
  private final long maxDiskBytes;
  /** Bytes received so far by the uploads in progress (their staging files). */
  private final AtomicLong receiving = new AtomicLong();

  public ModelUpload(ModelRepository repository, Executor blocking, Materializer materializer,
      int maxInFlight, long maxDiskBytes) {
    this.repository = repository;
    this.blocking = blocking;
    this.materializer = materializer;
    this.maxInFlight = maxInFlight;
    this.slots = new Semaphore(maxInFlight);
    this.maxDiskBytes = maxDiskBytes;
  }

  public CompletionStage<Receipt> receive(String name, String version, Source<ByteString, ?> body) {
    if (!slots.tryAcquire()) {
      // The body is read and dropped first (it is limited in size): a response while the client
      // still sends would be lost in a reset connection.
      return body.runWith(Sink.ignore(), materializer).handle((done, error) -> {
        throw new Overloaded(maxInFlight + " uploads are being received already: try again when one has finished");
      });
    }
    long[] bytes = {0};
    CompletionStage<Receipt> receipt;
    try {
      Path staging = repository.stagingDir(name, version);
      receipt = CompletableFuture.supplyAsync(this::stored, blocking)
          .thenCompose(stored -> write(name, version, body, staging, stored, bytes))
          .whenComplete((r, error) -> {
            if (error != null) Folders.deleteQuietly(staging);
          });
    } catch (RuntimeException e) {
      receipt = CompletableFuture.failedFuture(e);
    }
    return receipt.whenComplete((r, error) -> {
      receiving.addAndGet(-bytes[0]);
      slots.release();
    });
  }

  private CompletionStage<Receipt> write(String name, String version, Source<ByteString, ?> body, Path staging,
      long stored, long[] bytes) {
    Path file = staging.resolve(ModelRepository.MODEL_FILE);
    MessageDigest digest = Sha256.newDigest();
    boolean[] overQuota = {false};
    long[] received = {0};
    // Past the quota the rest is read and dropped, not failed: failing the request's own stream
    // would reset the connection before the client sees why.
    return body.filter(chunk -> {
          received[0] += chunk.size();
          if (overQuota[0] || stored + receiving.addAndGet(chunk.size()) > maxDiskBytes) {
            if (!overQuota[0]) receiving.addAndGet(-chunk.size());
            overQuota[0] = true;
            return false;
          }
          bytes[0] += chunk.size();
          digest.update(chunk.asByteBuffer());
          return true;
        })
        .runWith(FileIO.toPath(file), materializer)
        .thenApplyAsync(io -> {
          if (overQuota[0]) {
            throw new PayloadTooLarge("the repository is full: " + received[0] + " more bytes would pass its disk quota of "
                + maxDiskBytes + " bytes (" + stored + " stored)");
          }
          if (bytes[0] == 0) {
            throw new InvalidModel("the upload is empty: send the ONNX file as the request body");
          }
          String sha = Sha256.hex(digest);
          repository.place(name, version, file, sha);
          return new Receipt(name, version, sha, bytes[0]);
        }, blocking);
  }

  /**
   * Bytes stored in the repository folder, not counting uploads in progress. Files that vanish
   * while it walks (another upload placed or refused) are skipped.
   */
  private long stored() {
    Path root = repository.root();
    Path staging = root.resolve(STAGING);
    long[] total = {0};
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
          return dir.equals(staging) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
          if (attributes.isRegularFile()) total[0] += attributes.size();
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot measure the repository folder " + root, e);
    }
    return total[0];
  }
}
