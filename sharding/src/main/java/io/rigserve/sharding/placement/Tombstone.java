package io.rigserve.sharding.placement;

import io.rigserve.cluster.serialization.InternalMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What an unload leaves in the cluster: model version {@code key} ({@code model@version}) was
 * withdrawn at {@code unloadedAtMillis}. A rig that comes back with that version on its disk
 * finds the tombstone and does not deploy it again. Kept for {@code rigserve.placement.tombstone-lifetime}.
 */
public record Tombstone(String key, long unloadedAtMillis) implements InternalMessage {

  public Tombstone {
    Objects.requireNonNull(key);
  }

  /** True while the tombstone is younger than {@code lifetime} at {@code now}. */
  public boolean liveAt(Instant now, Duration lifetime) {
    return now.toEpochMilli() - unloadedAtMillis < lifetime.toMillis();
  }
}
