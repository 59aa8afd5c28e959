package io.rigserve.serving.routing;

import io.rigserve.sharding.replica.StageInput;
import io.rigserve.sharding.replica.StageResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** One replica that can run a stage: a name for errors and logs, and how to send it the stage. */
public interface StageTarget {

  String describe();

  /** The region the stage goes to, for the per-region counts of {@link RoutingJournal}. */
  String region();

  /**
   * How long to wait for this replica before replaying the stage elsewhere, at most
   * {@code ceiling}: without observations, the ceiling itself.
   */
  default Duration attemptTimeout(Duration ceiling) {
    return ceiling;
  }

  /** The address of the rig the stage goes to; empty when it may go to several (a hedged pair). */
  default Optional<String> rig() {
    return Optional.empty();
  }

  /** Runs the stage; the answer may be a failure, and the stage may also fail by time-out. */
  CompletionStage<StageResult> run(StageInput input, Instant attemptDeadline);
}
