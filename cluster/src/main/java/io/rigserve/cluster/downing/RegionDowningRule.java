package io.rigserve.cluster.downing;

import io.rigserve.cluster.topology.RegionView;
import io.rigserve.cluster.topology.RigStatus;
import io.rigserve.cluster.topology.RigView;
import io.rigserve.cluster.topology.RttEstimate;
import io.rigserve.cluster.topology.TopologyView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.actor.Address;

/**
 * When a whole other region may be downed, decided from one rig's {@link TopologyView}. Pure, so
 * every case is tested without a cluster. The rule, in order:
 *
 * <ol>
 *   <li>Only regions that have members count (members that are Down, Exiting or Removed do not).
 *   <li><b>Majority:</b> this rig's side must reach a strict majority of those regions, its own
 *       included. Otherwise nobody is downed, ever: a region cut off from the rest sees everyone
 *       else unreachable, and must not down the majority. An even split downs no one either.
 *   <li><b>One issuer:</b> only the oldest reachable Up rig of the alphabetically first reachable
 *       region issues the Downs, so a region loss causes one set of Downs, not one per rig.
 *   <li><b>Grace:</b> a region is downed only after it has been unreachable for the whole grace,
 *       and only if none of its rigs answered an RTT probe within the grace. Pekko marks a region
 *       unreachable when one of its watched rigs is; an answering rig shows the region is alive
 *       and settling its own failure with its own Split Brain Resolver.
 * </ol>
 */
public final class RegionDowningRule {

  /** What the rule says for one view. */
  public sealed interface Verdict permits AllReachable, NoMajority, NotIssuer, Waiting, DownRegions {}

  public record AllReachable() implements Verdict {}

  /** Some regions are unreachable, but this side is not a strict majority: down no one. */
  public record NoMajority(SortedSet<String> reachable, SortedSet<String> unreachable, int regions)
      implements Verdict {}

  /** Some regions are unreachable; another rig issues the Downs. */
  public record NotIssuer(SortedSet<String> unreachable) implements Verdict {}

  /** Unreachable regions still within their grace (or still answering probes). */
  public record Waiting(SortedSet<String> unreachable) implements Verdict {}

  /** Down these rigs, by region. */
  public record DownRegions(Map<String, List<Address>> rigs) implements Verdict {}

  private RegionDowningRule() {}

  public static Verdict decide(TopologyView view, Duration grace) {
    SortedSet<String> counted = new TreeSet<>();
    for (RigView m : view.members()) {
      if (!m.status().isLeavingForGood()) {
        counted.add(m.region());
      }
    }
    counted.add(view.selfRegion());
    SortedSet<String> reachable = new TreeSet<>();
    SortedSet<String> unreachable = new TreeSet<>();
    for (String region : counted) {
      boolean ok = region.equals(view.selfRegion())
          || view.region(region).map(RegionView::reachable).orElse(true);
      (ok ? reachable : unreachable).add(region);
    }
    if (unreachable.isEmpty()) {
      return new AllReachable();
    }
    if (reachable.size() * 2 <= counted.size()) {
      return new NoMajority(reachable, unreachable, counted.size());
    }
    if (!isIssuer(view, reachable)) {
      return new NotIssuer(unreachable);
    }
    Map<String, List<Address>> toDown = new TreeMap<>();
    for (String region : unreachable) {
      RegionView r = view.region(region).orElseThrow();
      if (unreachableLongEnough(r, grace) && silentLongEnough(r, grace)) {
        List<Address> rigs =
            view.membersIn(region).stream()
                .filter(m -> m.status() != RigStatus.DOWN && m.status() != RigStatus.REMOVED)
                .map(RigView::address)
                .toList();
        if (!rigs.isEmpty()) {
          toDown.put(region, rigs);
        }
      }
    }
    return toDown.isEmpty() ? new Waiting(unreachable) : new DownRegions(toDown);
  }

  private static boolean isIssuer(TopologyView view, SortedSet<String> reachable) {
    Optional<String> issuingRegion =
        reachable.stream().filter(r -> view.region(r).flatMap(RegionView::oldest).isPresent()).findFirst();
    if (issuingRegion.isEmpty() || !issuingRegion.get().equals(view.selfRegion())) {
      return false;
    }
    return view.region(view.selfRegion()).flatMap(RegionView::oldest).map(view.self()::equals).orElse(false);
  }

  private static boolean unreachableLongEnough(RegionView region, Duration grace) {
    return region.unreachableFor().map(d -> d.compareTo(grace) >= 0).orElse(false);
  }

  private static boolean silentLongEnough(RegionView region, Duration grace) {
    Optional<Duration> lastAnswer = region.rtt().flatMap(RttEstimate::sinceLastSample);
    return lastAnswer.map(age -> age.compareTo(grace) >= 0).orElse(true);
  }
}
