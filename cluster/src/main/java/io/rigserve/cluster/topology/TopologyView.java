package io.rigserve.cluster.topology;

import io.rigserve.cluster.serialization.LocalMessage;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.pekko.actor.Address;

/**
 * An immutable snapshot of the cluster as one rig sees it: every member with identity, status,
 * reachability and RTT, and every region with reachability and RTT. Built by {@link
 * RegionTopology}; what a router needs to choose the nearest healthy rig.
 *
 * @param self this rig's address
 * @param selfRegion this rig's region
 * @param takenAt when the snapshot was made (ages in it are relative to this instant)
 * @param members every member, ordered by address
 * @param regionViews every region that has members, by name
 */
public record TopologyView(
    Address self,
    String selfRegion,
    Instant takenAt,
    List<RigView> members,
    SortedMap<String, RegionView> regionViews) implements LocalMessage {

  public TopologyView {
    members = List.copyOf(members);
    regionViews = Collections.unmodifiableSortedMap(new TreeMap<>(regionViews));
  }

  public Optional<RigView> member(Address address) {
    return members.stream().filter(m -> m.address().equals(address)).findFirst();
  }

  public List<RigView> membersIn(String region) {
    return members.stream().filter(m -> m.region().equals(region)).toList();
  }

  public Optional<RegionView> region(String name) {
    return Optional.ofNullable(regionViews.get(name));
  }

  /** Names of the regions that have members, this rig's own among them. */
  public SortedSet<String> regions() {
    return new TreeSet<>(regionViews.keySet());
  }

  /** Regions this rig can reach now, its own included. */
  public SortedSet<String> reachableRegions() {
    return regionViews.values().stream()
        .filter(RegionView::reachable)
        .map(RegionView::name)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  public boolean isReachable(Address address) {
    return member(address).map(RigView::reachable).orElse(false);
  }

  /**
   * The best RTT estimate to a rig: its own measurements; else measurements to its region; else
   * its great-circle prior; else its region's prior. Empty for this rig and unknown addresses.
   */
  public Optional<RttEstimate> rttTo(Address address) {
    Optional<RigView> rig = member(address);
    if (rig.isEmpty() || address.equals(self)) {
      return Optional.empty();
    }
    Optional<RttEstimate> own = rig.get().rtt();
    if (own.isPresent() && !own.get().isPrior()) {
      return own;
    }
    Optional<RttEstimate> region = rttToRegion(rig.get().region());
    if (region.isPresent() && !region.get().isPrior()) {
      return region;
    }
    return own.isPresent() ? own : region;
  }

  public Optional<RttEstimate> rttToRegion(String region) {
    return region(region).flatMap(RegionView::rtt);
  }
}
