package io.rigserve.cluster.topology;

import java.util.Optional;
import org.apache.pekko.actor.Address;

/**
 * One member as this rig sees it.
 *
 * @param region the member's data center; known as soon as it is a member
 * @param reachable for a rig of this rig's region: its own failure detector's verdict; for a rig of
 *     another region: that region's reachability (Pekko watches regions, not their single rigs;
 *     a recent sample in {@code rtt} shows such a rig answering all the same)
 * @param identity zone, coordinates and memory; empty until the rig has answered
 * @param rtt measured RTT to the rig, or its great-circle prior; empty for this rig itself, or
 *     while neither identity is known
 * @param owner who runs the rig (its member role {@code owner:...}); "" when it announced none
 */
public record RigView(
    Address address,
    String region,
    RigStatus status,
    boolean reachable,
    Optional<RigIdentity> identity,
    Optional<RttEstimate> rtt,
    String owner) {

  /** A member that announced no owner. */
  public RigView(Address address, String region, RigStatus status, boolean reachable, Optional<RigIdentity> identity,
      Optional<RttEstimate> rtt) {
    this(address, region, status, reachable, identity, rtt, "");
  }

  /** The owner to tell rigs apart by: a rig that announced none counts as its own owner. */
  public String ownerOrAddress() {
    return owner.isEmpty() ? address.toString() : owner;
  }
}
