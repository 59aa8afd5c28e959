package io.rigserve.serving.repository;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Receives a new model version as a byte stream: written to a staging folder chunk by chunk
 * (never held in memory), hashed on the way, then checked and moved into the repository. A
 * failed or refused upload leaves nothing behind.
 */
public final class ModelUpload {

  /** What was stored. */
  public record Receipt(String name, String version, String sha256, long bytes) {}

  private final ModelRepository repository;
  private final Executor blocking;
  private final Materializer materializer;

  public ModelUpload(ModelRepository repository, Executor blocking, Materializer materializer) {
    this.repository = repository;
    this.blocking = blocking;
    this.materializer = materializer;
  }

  public CompletionStage<Receipt> receive(String name, String version, Source<ByteString, ?> body) {
    Path staging;
    try {
      staging = repository.stagingDir(name, version);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    Path file = staging.resolve(ModelRepository.MODEL_FILE);
    MessageDigest digest = Sha256.newDigest();
    long[] bytes = {0};
    return body.map(chunk -> {
          digest.update(chunk.asByteBuffer());
          bytes[0] += chunk.size();
          return chunk;
        })
        .runWith(FileIO.toPath(file), materializer)
        .thenApplyAsync(io -> {
          if (bytes[0] == 0) {
            throw new io.rigserve.serving.error.InvalidModel("the upload is empty: send the ONNX file as the request body");
          }
          String sha = Sha256.hex(digest);
          repository.place(name, version, file, sha);
          return new Receipt(name, version, sha, bytes[0]);
        }, blocking)
        .whenComplete((receipt, error) -> {
          if (error != null) Folders.deleteQuietly(staging);
        });
  }
}
