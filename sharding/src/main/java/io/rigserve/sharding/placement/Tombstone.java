package io.rigserve.sharding.placement;

import io.rigserve.cluster.serialization.InternalMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * What an unload leaves in the cluster: model version {@code key} ({@code model@version}) was
 * withdrawn at {@code unloadedAtMillis}. A rig that comes back with that version on its disk
 * finds the tombstone and does not deploy it again. Kept for {@code rigserve.placement.tombstone-lifetime}.
 * Signed like a deployment ({@code signedBy}, {@code signature} over {@link #signedContent()}).
 */
public record Tombstone(String key, long unloadedAtMillis, String signedBy, byte[] signature) implements InternalMessage {

  /** An unsigned tombstone. */
  public Tombstone(String key, long unloadedAtMillis) {
    this(key, unloadedAtMillis, "", new byte[0]);
  }

  public Tombstone {
    Objects.requireNonNull(key);
    signedBy = signedBy == null ? "" : signedBy;
    signature = signature == null ? new byte[0] : signature;
  }

  public Tombstone signed(String keyId, byte[] signature) {
    return new Tombstone(key, unloadedAtMillis, keyId, signature);
  }

  /** What a deploy key signs: the version withdrawn and when. */
  public byte[] signedContent() {
    return ("rigserve-withdraw-v1\n" + key + "\n" + unloadedAtMillis).getBytes(StandardCharsets.UTF_8);
  }

  /** True while the tombstone is younger than {@code lifetime} at {@code now}. */
  public boolean liveAt(Instant now, Duration lifetime) {
    return now.toEpochMilli() - unloadedAtMillis < lifetime.toMillis();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tombstone t && key.equals(t.key) && unloadedAtMillis == t.unloadedAtMillis
        && signedBy.equals(t.signedBy) && Arrays.equals(signature, t.signature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, unloadedAtMillis);
  }
}
