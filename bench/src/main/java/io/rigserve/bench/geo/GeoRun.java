package io.rigserve.bench.geo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the geo scenario and prints what the clients saw per phase as each fault ends:
 * {@code GeoRun [kill|cut|vanish|both|all] [WORK_DIR]}. Needs root (network namespaces); {@code deploy/run-geo.sh} is the front door.
 */
public final class GeoRun {

  private GeoRun() {}

  public static void main(String[] args) throws Exception {
    String fault = args.length > 0 ? args[0] : "all";
    if (!List.of("kill", "cut", "vanish", "both", "all").contains(fault)) {
      System.err.println("usage: GeoRun [kill|cut|vanish|both|all] [WORK_DIR]");
      System.exit(2);
    }
    String why = GeoNetwork.unavailableReason();
    if (why != null) {
      System.err.println("geo run: " + why);
      System.exit(2);
    }
    Path work = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("rigserve-geo");
    run(fault, work, GeoScenario.Durations.defaults());
    System.exit(0);
  }

  /** Starts the cluster, deploys the model in stages, applies the faults asked for, and stops everything. */
  public static List<FaultReport> run(String fault, Path work, GeoScenario.Durations durations) throws Exception {
    List<FaultReport> reports = new ArrayList<>();
    System.out.println("geo run: regions " + GeoScenario.regions().stream().map(GeoRegion::name).toList()
        + ", rig logs in " + work);
    try (GeoCluster cluster = GeoCluster.start(GeoScenario.regions(), work, GeoScenario.rigTimings(), Duration.ofMinutes(5))) {
      GeoScenario scenario = new GeoScenario(cluster, durations);
      scenario.deployInStages(Duration.ofMinutes(2));
      Map<String, String> before = scenario.answers();
      System.out.println("geo run: model in " + GeoScenario.STAGES + " stages, replicas " + GeoScenario.expectedReplicas());
      // both: kill and cut; all: kill, cut and vanish, in turn.
      if (List.of("kill", "both", "all").contains(fault)) reports.add(print(scenario.killRegion("eu-west")));
      if (List.of("cut", "both", "all").contains(fault)) reports.add(print(scenario.isolateRegion("sa-east", RegionIsolation.CUT)));
      // eu-west vanishes: af-south's chains borrow from it, so stages sent there after the fault show.
      if (List.of("vanish", "all").contains(fault)) reports.add(print(scenario.isolateRegion("eu-west", RegionIsolation.VANISH)));
      Map<String, String> after = scenario.answers();
      if (!after.equals(before)) {
        throw new AssertionError("answers changed across the faults: before " + before + ", after " + after);
      }
      System.out.println("geo run: every rig gives the same answer before and after: " + after.values().iterator().next());
    }
    return reports;
  }

  private static FaultReport print(FaultReport report) {
    System.out.println(report.render());
    return report;
  }
}
