package io.rigserve.cluster.quarantine;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.rigserve.cluster.serialization.InternalMessage;
import java.time.Instant;

/**
 * A rig kept out of routing and placement because checks showed it answering wrong.
 *
 * @param rig the rig's address
 * @param owner who runs it
 * @param reason why, in words an operator reads
 * @param sinceEpochMillis when it was decided
 * @param decidedBy the gateway whose checks decided it
 * @param wrongAnswersFound answers that gateway served to clients before it knew, that a check showed wrong
 * @param wrongAnswersEstimated those weighted by their sampling rate: about how many wrong answers reached clients
 */
public record Quarantine(String rig, String owner, String reason, long sinceEpochMillis, String decidedBy,
    long wrongAnswersFound, double wrongAnswersEstimated) implements InternalMessage {

  @JsonProperty("since")
  public String sinceText() {
    return since().toString();
  }

  public Instant since() {
    return Instant.ofEpochMilli(sinceEpochMillis);
  }
}
