package io.rigserve.sharding.replica;

import io.rigserve.cluster.serialization.InternalMessage;
import java.util.Objects;

/**
 * What one rig reports about one replica in its region's replica map: the rig's address, the
 * replica's state there and why (empty when there is nothing to say). A value in Distributed
 * Data, so it travels through the Kryo serializer.
 */
public record ReplicaStatus(String address, ReplicaState state, String reason) implements InternalMessage {

  public ReplicaStatus {
    Objects.requireNonNull(address);
    Objects.requireNonNull(state);
    reason = reason == null ? "" : reason;
  }
}
