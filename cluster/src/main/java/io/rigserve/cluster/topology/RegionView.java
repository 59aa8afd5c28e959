package io.rigserve.cluster.topology;

import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.Address;

/**
 * One region as this rig sees it.
 *
 * @param reachable false while Pekko's cross-region failure detector reports it unreachable
 *     ({@code UnreachableDataCenter}); this rig's own region is always reachable
 * @param unreachableFor how long it has been unreachable, as seen from this rig
 * @param rtt RTT to the region: moving average of all samples to its rigs, or the mean of their
 *     great-circle priors while there are none
 * @param oldest its oldest Up rig (for this rig's region: oldest reachable Up rig)
 * @param members how many members it has, in any status
 */
public record RegionView(
    String name,
    boolean reachable,
    Optional<Duration> unreachableFor,
    Optional<RttEstimate> rtt,
    Optional<Address> oldest,
    int members) {}
