package io.rigserve.serving.repository;

import io.rigserve.serving.error.InvalidModel;
import io.rigserve.serving.error.Overloaded;
import io.rigserve.serving.error.PayloadTooLarge;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.FileIO;
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
      return CompletableFuture.failedFuture(new Overloaded(
          maxInFlight + " uploads are being received already: try again when one has finished"));
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
    return body.map(chunk -> {
          bytes[0] += chunk.size();
          if (stored + receiving.addAndGet(chunk.size()) > maxDiskBytes) {
            throw new PayloadTooLarge("the repository is full: its disk quota of " + maxDiskBytes
                + " bytes would be exceeded (" + stored + " bytes stored)");
          }
          digest.update(chunk.asByteBuffer());
          return chunk;
        })
        .runWith(FileIO.toPath(file), materializer)
        .thenApplyAsync(io -> {
          if (bytes[0] == 0) {
            throw new InvalidModel("the upload is empty: send the ONNX file as the request body");
          }
          String sha = Sha256.hex(digest);
          repository.place(name, version, file, sha);
          return new Receipt(name, version, sha, bytes[0]);
        }, blocking);
  }

  /** Bytes stored in the repository folder, not counting uploads in progress. */
  private long stored() {
    Path root = repository.root();
    Path staging = root.resolve(STAGING);
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(p -> !p.startsWith(staging) && Files.isRegularFile(p)).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0; // removed while walking
        }
      }).sum();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot measure the repository folder " + root, e);
    }
  }
}
