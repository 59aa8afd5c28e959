package io.rigserve.cluster.management;

import io.rigserve.cluster.quarantine.Quarantine;
import io.rigserve.cluster.topology.RigIdentity;
import io.rigserve.cluster.topology.RigView;
import io.rigserve.cluster.topology.RttEstimate;
import io.rigserve.cluster.topology.TopologyView;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.Address;

/**
 * The body of {@code GET /admin/cluster}: every member as this rig sees it. Fields unknown yet
 * (a rig that has not told its identity) are null; {@code quarantine} is null for a rig that serves. {@code insecure} is true when this rig binds
 * off loopback without TLS material or an admin token, allowed only by the insecure switch.
 */
public record ClusterReport(
    String self,
    String region,
    boolean insecure,
    List<String> regions,
    List<String> unreachableRegions,
    List<Member> members) {

  public record Member(
      String address,
      String region,
      String zone,
      Double latitude,
      Double longitude,
      Long modelMemoryBytes,
      String status,
      boolean reachable,
      Double rttMs,
      boolean rttIsPrior,
      List<?> hostedReplicas,
      String owner,
      Quarantine quarantine) {}

  public static ClusterReport of(TopologyView view, Map<Address, List<?>> hosted, boolean insecure) {
    return of(view, hosted, insecure, Map.of());
  }

  public static ClusterReport of(TopologyView view, Map<Address, List<?>> hosted, boolean insecure,
      Map<String, Quarantine> quarantined) {
    List<Member> members = view.members().stream().map(m -> member(m, hosted.getOrDefault(m.address(), List.of()),
        quarantined.get(m.address().toString()))).toList();
    Set<String> reachable = view.reachableRegions();
    List<String> unreachable = view.regions().stream().filter(r -> !reachable.contains(r)).toList();
    return new ClusterReport(
        view.self().toString(), view.selfRegion(), insecure, List.copyOf(view.regions()), unreachable, members);
  }

  private static Member member(RigView m, List<?> hosted, Quarantine quarantine) {
    Optional<RigIdentity> id = m.identity();
    Optional<RttEstimate> rtt = m.rtt();
    return new Member(
        m.address().toString(),
        m.region(),
        id.map(RigIdentity::zone).orElse(null),
        id.map(RigIdentity::latitude).orElse(null),
        id.map(RigIdentity::longitude).orElse(null),
        id.map(RigIdentity::modelMemoryBytes).orElse(null),
        m.status().label(),
        m.reachable(),
        rtt.map(RttEstimate::millis).orElse(null),
        rtt.map(RttEstimate::isPrior).orElse(false),
        hosted,
        m.owner().isEmpty() ? null : m.owner(),
        quarantine);
  }
}
