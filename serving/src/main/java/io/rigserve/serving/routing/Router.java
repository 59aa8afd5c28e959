package io.rigserve.serving.routing;

import io.rigserve.serving.error.DeadlineExceeded;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.error.NoHealthyReplica;
import io.rigserve.serving.error.Overloaded;
import io.rigserve.sharding.replica.PartitionReplica;
import io.rigserve.sharding.replica.ReplicaId;
import io.rigserve.sharding.replica.ReplicaSharding;
import io.rigserve.sharding.replica.StageInput;
import io.rigserve.sharding.replica.StageResult;
import io.rigserve.sharding.tensor.Tensor;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * Sends each stage of a request to a partition replica through Cluster Sharding and turns its
 * answer into outputs or a client-facing error. Models are served whole (one partition, one
 * replica per version), so the plan has a single stage.
 */
public final class Router {

  private final ReplicaSharding sharding;

  public Router(ReplicaSharding sharding) {
    this.sharding = sharding;
  }

  public CompletionStage<Tensor[]> run(String model, String version, StageInput input, Instant deadline) {
    ReplicaId replica = new ReplicaId(model, version, 0, 0);
    Duration left = Duration.between(Instant.now(), deadline);
    if (left.isNegative() || left.isZero()) {
      return CompletableFuture.failedFuture(new DeadlineExceeded("the request's deadline passed before it was sent"));
    }
    return sharding.refFor(replica)
        .<StageResult>ask(replyTo -> new PartitionReplica.Run(input, deadline.toEpochMilli(), replyTo), left)
        .handle((result, error) -> {
          if (error != null) {
            throw failure(replica, error);
          }
          if (result instanceof StageResult.Output output) {
            return output.tensors();
          }
          throw failure(replica, (StageResult.Failed) result);
        });
  }

  private static RuntimeException failure(ReplicaId replica, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof TimeoutException) {
      return new DeadlineExceeded("no answer from partition " + replica.partition() + " of "
          + replica.model() + "@" + replica.version() + " before the request's deadline");
    }
    return new NoHealthyReplica("partition " + replica.partition() + " of " + replica.model() + "@"
        + replica.version() + " could not be reached: " + cause.getMessage(), cause);
  }

  private static RuntimeException failure(ReplicaId replica, StageResult.Failed failed) {
    String where = "partition " + replica.partition() + " of " + replica.model() + "@" + replica.version();
    return switch (failed.reason()) {
      case INVALID_INPUT -> new InvalidInput(failed.message());
      case OVERLOADED -> new Overloaded("every replica of " + where + " is full: " + failed.message());
      case DEADLINE_EXCEEDED -> new DeadlineExceeded(failed.message());
      case NOT_LOADED, RUNTIME_ERROR -> new NoHealthyReplica("no replica of " + where + " could answer: " + failed.message());
    };
  }
}
