package io.rigserve.serving.routing;

import io.rigserve.sharding.replica.ReplicaId;
import io.rigserve.sharding.replica.StageInput;
import io.rigserve.sharding.replica.StageResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What happens to a replica's output before the next stage or the client gets it: the trust
 * checks look at it here (re-running a sample elsewhere later, or holding it until another owner
 * agrees). Routing does not know how answers are checked.
 */
@FunctionalInterface
public interface StageCheck {

  /** The result to go on with: usually {@code output} itself, at once. */
  CompletionStage<StageResult> answered(ReplicaId replica, String rig, StageInput input, StageResult.Output output);

  /** Trusts every answer. */
  StageCheck NONE = (replica, rig, input, output) -> CompletableFuture.completedFuture(output);
}
