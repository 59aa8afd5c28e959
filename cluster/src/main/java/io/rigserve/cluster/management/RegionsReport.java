package io.rigserve.cluster.management;

import io.rigserve.cluster.topology.RegionView;
import io.rigserve.cluster.topology.RttEstimate;
import io.rigserve.cluster.topology.TopologyView;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The body of {@code GET /admin/regions}: RTT from this rig to every region, as measured by this
 * rig. {@code prior} is true while no probe has been answered and {@code rttMs} is the
 * great-circle estimate; {@code ageMs} is the age of the newest sample.
 */
public record RegionsReport(String self, String region, List<Region> regions) {

  public record Region(
      String region,
      boolean local,
      boolean reachable,
      Long unreachableForMs,
      int members,
      Double rttMs,
      long samples,
      Long ageMs,
      boolean prior) {}

  public static RegionsReport of(TopologyView view) {
    List<Region> regions =
        view.regionViews().values().stream().map(r -> region(r, view.selfRegion())).toList();
    return new RegionsReport(view.self().toString(), view.selfRegion(), regions);
  }

  private static Region region(RegionView r, String selfRegion) {
    Optional<RttEstimate> rtt = r.rtt();
    return new Region(
        r.name(),
        r.name().equals(selfRegion),
        r.reachable(),
        r.unreachableFor().map(Duration::toMillis).orElse(null),
        r.members(),
        rtt.map(RttEstimate::millis).orElse(null),
        rtt.map(RttEstimate::samples).orElse(0L),
        rtt.flatMap(RttEstimate::sinceLastSample).map(Duration::toMillis).orElse(null),
        rtt.map(RttEstimate::isPrior).orElse(true));
  }
}
