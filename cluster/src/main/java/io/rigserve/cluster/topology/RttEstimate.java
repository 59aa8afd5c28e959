package io.rigserve.cluster.topology;

import java.time.Duration;
import java.util.Optional;

/**
 * The round trip time this rig expects to another rig or region.
 *
 * @param millis the estimate: moving average of samples, or the great-circle prior while there
 *     are none
 * @param samples how many measurements went into it (0: it is the prior)
 * @param sinceLastSample age of the newest measurement; empty while there is none
 */
public record RttEstimate(double millis, long samples, Optional<Duration> sinceLastSample) {

  public static RttEstimate prior(double millis) {
    return new RttEstimate(millis, 0, Optional.empty());
  }

  /** True while no measurement exists and the value comes from distance alone. */
  public boolean isPrior() {
    return samples == 0;
  }
}
