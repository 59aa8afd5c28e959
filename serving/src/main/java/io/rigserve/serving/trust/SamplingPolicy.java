package io.rigserve.serving.trust;

/**
 * How often a rig's stage runs are re-run elsewhere: the model's rate; at least the probation rate
 * while the rig is new to this gateway (its first {@code probationRuns}) or carries a strike, so a
 * rig that lies from the start, or has just lost an arbitration, is settled within few runs.
 * A pure function of its inputs.
 */
public final class SamplingPolicy {

  private final TrustSettings settings;

  public SamplingPolicy(TrustSettings settings) {
    this.settings = settings;
  }

  /** The share of {@code rig}'s runs of {@code model} to check. */
  public double rate(String model, long runsOfRig, double strikesOfRig) {
    double rate = settings.rate(model);
    boolean watched = runsOfRig < settings.probationRuns() || strikesOfRig > 0;
    return watched ? Math.max(rate, settings.probationRate()) : rate;
  }

  /** Whether the rate calls for verifying before answering (the answer waits for two owners to agree). */
  public boolean beforeAnswering(String model) {
    return settings.rate(model) >= 1.0;
  }
}
