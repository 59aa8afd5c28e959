package io.rigserve.serving.deploy;

import io.rigserve.serving.error.InvalidInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * How a model is to be deployed, from the {@code parameters} of a load request:
 * {@code partitions} (K, or "auto": the fewest stages that fit the rigs' budgets),
 * {@code regions} (comma-separated; empty: every region), {@code replicas_per_region} and
 * {@code hedge_after_ms} (a second copy of a stage to the next replica after that long; 0: off).
 */
public record DeployParameters(OptionalInt partitions, List<String> regions, int replicasPerRegion, long hedgeAfterMillis) {

  public static final int DEFAULT_REPLICAS_PER_REGION = 2;
  private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  public static DeployParameters defaults() {
    return new DeployParameters(OptionalInt.of(1), List.of(), DEFAULT_REPLICAS_PER_REGION, 0);
  }

  public static DeployParameters from(Map<String, Object> parameters) {
    OptionalInt partitions = OptionalInt.of(1);
    Object k = parameters.get("partitions");
    if (k != null) {
      if ("auto".equals(k)) {
        partitions = OptionalInt.empty();
      } else if (k instanceof Long n && n >= 1 && n <= 1024) {
        partitions = OptionalInt.of(n.intValue());
      } else if (k instanceof String s && s.matches("[0-9]{1,4}") && Integer.parseInt(s) >= 1 && Integer.parseInt(s) <= 1024) {
        partitions = OptionalInt.of(Integer.parseInt(s));
      } else {
        throw new InvalidInput("parameter 'partitions' must be an integer from 1 to 1024 or \"auto\", got " + k);
      }
    }
    List<String> regions = new ArrayList<>();
    Object r = parameters.get("regions");
    if (r != null) {
      if (!(r instanceof String list)) {
        throw new InvalidInput("parameter 'regions' must be a comma-separated string of region names");
      }
      for (String part : list.split(",")) {
        String region = part.trim();
        if (region.isEmpty()) continue;
        if (!REGION.matcher(region).matches()) {
          throw new InvalidInput("parameter 'regions' names an invalid region '" + region + "'");
        }
        regions.add(region);
      }
    }
    int replicas = DEFAULT_REPLICAS_PER_REGION;
    Object n = parameters.get("replicas_per_region");
    if (n != null) {
      if (n instanceof Long v && v >= 1 && v <= 64) {
        replicas = v.intValue();
      } else if (n instanceof String s && s.matches("[0-9]{1,2}") && Integer.parseInt(s) >= 1 && Integer.parseInt(s) <= 64) {
        replicas = Integer.parseInt(s);
      } else {
        throw new InvalidInput("parameter 'replicas_per_region' must be an integer from 1 to 64, got " + n);
      }
    }
    long hedge = 0;
    Object h = parameters.get("hedge_after_ms");
    if (h != null) {
      if (h instanceof Long v && v >= 0 && v <= 60_000) {
        hedge = v;
      } else {
        throw new InvalidInput("parameter 'hedge_after_ms' must be an integer from 0 to 60000, got " + h);
      }
    }
    return new DeployParameters(partitions, List.copyOf(regions), replicas, hedge);
  }
}
