package io.rigserve.cluster.topology;

import io.rigserve.cluster.node.RigSettings;
import io.rigserve.cluster.serialization.InternalMessage;

/**
 * What a rig tells other rigs about itself: where it stands, how much model memory it offers
 * and where its data plane serves partition files. Its address is not part of it: the asking
 * rig already knows whom it asked.
 */
public record RigIdentity(
    String region, String zone, double latitude, double longitude, long modelMemoryBytes, String dataPlaneUrl)
    implements InternalMessage {

  public static RigIdentity of(RigSettings rig) {
    return new RigIdentity(
        rig.region(), rig.zone(), rig.latitude(), rig.longitude(), rig.modelMemoryBytes(), rig.dataPlaneUrl());
  }
}
