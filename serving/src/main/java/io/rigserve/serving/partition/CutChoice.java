package io.rigserve.serving.partition;

import java.util.Comparator;

/**
 * Chooses where K stages begin in the topological order of the units.
 *
 * <p>The rule. Let {@code P(p)} be the weight bytes of units before position {@code p} (each
 * constant charged to its first reader) and {@code T} the total. Cut {@code i} ideally falls where
 * {@code P = i·T/K}. Every position whose {@code P} is within {@code tolerance·T/K} of that ideal is
 * a candidate, and the cut takes the candidate with the fewest estimated bytes crossing it, then the
 * fewest crossing tensors, then the one nearest the ideal. When no position lies that close (one
 * node holds more than the band), the cut takes the position nearest the ideal, cheapest crossing
 * first among equally near ones.
 *
 * <p>What that promises. Each cut is chosen around its own ideal, so errors do not add up along the
 * chain: a stage's first-use weight differs from {@code T/K} by at most twice
 * {@code max(tolerance·T/K, heaviest unit)}. Positions crossing a tensor that cannot travel
 * between rigs are never chosen. A model without weights is balanced by node count instead.
 */
final class CutChoice {

  private CutChoice() {}

  /**
   * Stage boundaries {@code b[0] = 0 < b[1] < ... < b[K] = units}: stage {@code s} holds units
   * {@code [b[s], b[s+1])}.
   *
   * @throws PartitionException when some cut has no position that can carry its tensors
   */
  static int[] choose(long[] unitWeights, Crossings crossings, int stages, double tolerance) {
    int n = unitWeights.length;
    long[] prefix = new long[n + 1];
    for (int u = 0; u < n; u++) {
      prefix[u + 1] = prefix[u] + unitWeights[u];
    }
    if (prefix[n] == 0) {
      for (int u = 0; u < n; u++) {
        prefix[u + 1] = u + 1;
      }
    }
    double average = (double) prefix[n] / stages;
    int[] bounds = new int[stages + 1];
    bounds[stages] = n;
    for (int i = 1; i < stages; i++) {
      double ideal = average * i;
      int lo = bounds[i - 1] + 1;
      int hi = n - (stages - i);
      Comparator<Integer> cheapest =
          Comparator.<Integer>comparingLong(crossings::bytes)
              .thenComparingInt(crossings::count)
              .thenComparingDouble(p -> Math.abs(prefix[p] - ideal));
      Integer inBand = null;
      Integer nearest = null;
      Comparator<Integer> nearestFirst =
          Comparator.<Integer>comparingDouble(p -> Math.abs(prefix[p] - ideal)).thenComparing(cheapest);
      for (int p = lo; p <= hi; p++) {
        if (!crossings.allowed(p)) {
          continue;
        }
        if (Math.abs(prefix[p] - ideal) <= tolerance * average
            && (inBand == null || cheapest.compare(p, inBand) < 0)) {
          inBand = p;
        }
        if (nearest == null || nearestFirst.compare(p, nearest) < 0) {
          nearest = p;
        }
      }
      if (nearest == null) {
        throw new PartitionException(
            "no valid cut for stage " + i + " of " + stages + ": every position between units " + lo
                + " and " + hi + " would send a tensor that cannot travel between rigs (e.g. "
                + crossings.at(lo) + ")");
      }
      bounds[i] = inBand != null ? inBand : nearest;
    }
    return bounds;
  }
}
