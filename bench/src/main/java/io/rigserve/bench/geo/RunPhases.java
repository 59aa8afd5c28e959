package io.rigserve.bench.geo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Named phases by start time; each lasts until the next begins. */
final class RunPhases {
  private final List<String> names = new ArrayList<>();
  private final List<Long> starts = new ArrayList<>();

  long begin(String name) {
    long now = System.nanoTime();
    names.add(name);
    starts.add(now);
    return now;
  }

  String at(long nanos) {
    String name = names.get(0);
    for (int i = 0; i < names.size(); i++) if (nanos >= starts.get(i)) name = names.get(i);
    return name;
  }

  /** Per client region, its clients' outcomes per phase. */
  Map<String, List<PhaseStats>> byRegion(List<GeoLoad.Outcome> outcomes, long end, List<String> regions) {
    Map<String, List<PhaseStats>> out = new LinkedHashMap<>();
    for (String r : regions) out.put(r, stats(outcomes, end, List.of(r)));
    return out;
  }

  /** Per phase, the outcomes of the clients of {@code regions}. */
  List<PhaseStats> stats(List<GeoLoad.Outcome> outcomes, long end, List<String> regions) {
    List<GeoLoad.Outcome> picked = outcomes.stream().filter(o -> regions.contains(o.region())).toList();
    List<PhaseStats> out = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      long to = i + 1 < names.size() ? starts.get(i + 1) : end;
      out.add(PhaseStats.of(names.get(i), picked, starts.get(i), to));
    }
    return out;
  }
}
