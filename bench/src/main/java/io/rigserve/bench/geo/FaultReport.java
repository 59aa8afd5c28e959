package io.rigserve.bench.geo;

import java.util.List;
import java.util.Map;

/**
 * What one fault did to the clients: requests per phase, for all clients of the surviving
 * regions and for each region's clients on their own; how long until no stage went to the failed
 * region, when the others downed it and when it served again; and the first failures seen.
 *
 * @param quietAfterMillis from the fault to the last stage a surviving gateway sent to the
 *     failed region; negative when none borrowed from it before the fault
 * @param downedAfterMillis from the fault until the others removed the region's rigs
 * @param returnKind how the region came back: restarted processes, or a rebuild inside the running ones
 * @param servingAgainAfterMillis from the region's return (restart, heal, link up) until it served again
 * @param returnSteps milliseconds from the return to each step of it, in the order reached; NaN for a step not reached
 */
public record FaultReport(String fault, String victim, List<PhaseStats> phases, Map<String, List<PhaseStats>> byClientRegion,
    double quietAfterMillis, double downedAfterMillis, String returnKind, double servingAgainAfterMillis,
    Map<String, Double> returnSteps, List<String> failures) {

  public PhaseStats phase(String name) {
    return find(phases, name);
  }

  /** The phase as the clients of one region saw it. */
  public PhaseStats phase(String name, String clientRegion) {
    return find(byClientRegion.get(clientRegion), name);
  }

  private static PhaseStats find(List<PhaseStats> list, String name) {
    return list.stream().filter(p -> p.phase().equals(name)).findFirst().orElseThrow();
  }

  public String render() {
    StringBuilder out = new StringBuilder();
    out.append(fault).append('\n');
    table(out, "all clients of the surviving regions", phases);
    byClientRegion.forEach((region, stats) ->
        table(out, "clients in " + region + (region.equals(victim) ? " (the failed region)" : ""), stats));
    if (quietAfterMillis < 0) {
      out.append("  no other region's gateway sent stages to ").append(victim).append(" before the fault\n");
    } else {
      out.append(String.format("  last stage sent to %s: %.0f ms after the fault%n", victim, quietAfterMillis));
    }
    out.append(String.format("  %s downed by the others: %.1f s after the fault%n", victim, downedAfterMillis / 1e3));
    out.append(String.format("  %s serving again (%s): %.1f s after it returned%n", victim, returnKind, servingAgainAfterMillis / 1e3));
    returnSteps.forEach((step, millis) -> out.append(millis.isNaN()
        ? String.format("    %-40s not within the run%n", step)
        : String.format("    %-40s %5.1f s%n", step, millis / 1e3)));
    for (String f : failures) out.append("  failure: ").append(f).append('\n');
    return out.toString();
  }

  private static void table(StringBuilder out, String title, List<PhaseStats> stats) {
    out.append("  ").append(title).append("\n    ").append(PhaseStats.header()).append('\n');
    for (PhaseStats p : stats) out.append("    ").append(p).append('\n');
  }
}
