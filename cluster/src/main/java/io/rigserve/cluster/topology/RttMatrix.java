package io.rigserve.cluster.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The body of {@code GET /admin/regions/rtt}: the measured RTT between every pair of regions, as
 * the rigs of both published it. A pair's RTT is the mean of what every rig of either region
 * measured to the other (the path is the same both ways); {@code rigs} says how many took part.
 *
 * @param regions every region that published or was measured, by name
 * @param pairs one per pair of regions with a measurement, {@code from} before {@code to}
 */
public record RttMatrix(List<String> regions, List<Pair> pairs) {

  public record Pair(String from, String to, double rttMs, int rigs) {}

  public static final RttMatrix EMPTY = new RttMatrix(List.of(), List.of());

  public RttMatrix {
    regions = List.copyOf(regions);
    pairs = List.copyOf(pairs);
  }

  /** The matrix of {@code published}, keyed by rig; entries that are not finite or not positive count for nothing. */
  public static RttMatrix of(Map<String, RegionRtts> published) {
    SortedSet<String> regions = new TreeSet<>();
    Map<String, double[]> sums = new TreeMap<>();
    for (RegionRtts rtts : published.values()) {
      regions.add(rtts.region());
      for (int i = 0; i < rtts.toRegions().length; i++) {
        String other = rtts.toRegions()[i];
        double millis = rtts.millis()[i];
        if (other == null || other.equals(rtts.region()) || !Double.isFinite(millis) || millis < 0) continue;
        regions.add(other);
        boolean ordered = rtts.region().compareTo(other) < 0;
        String key = (ordered ? rtts.region() : other) + "\n" + (ordered ? other : rtts.region());
        double[] sum = sums.computeIfAbsent(key, k -> new double[2]);
        sum[0] += millis;
        sum[1]++;
      }
    }
    List<Pair> pairs = new ArrayList<>();
    sums.forEach((key, sum) -> {
      String[] ends = key.split("\n", 2);
      pairs.add(new Pair(ends[0], ends[1], sum[0] / sum[1], (int) sum[1]));
    });
    return new RttMatrix(List.copyOf(regions), pairs);
  }
}
