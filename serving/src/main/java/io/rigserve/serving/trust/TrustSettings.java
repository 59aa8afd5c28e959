package io.rigserve.serving.trust;

import com.typesafe.config.Config;
import io.rigserve.cluster.settings.SettingsReader;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How a gateway checks the answers of other owners' rigs, read once from {@code rigserve.trust};
 * docs/ARCHITECTURE.md gives the arithmetic behind the defaults.
 *
 * @param modelRates sampling rates set per model; 1.0 verifies every stage before answering
 * @param modelTolerances float tolerances set per model
 */
public record TrustSettings(
    double sampleRate,
    double probationRate,
    int probationRuns,
    Tolerance tolerance,
    double strikeThreshold,
    int agreementsPerStrike,
    int maxChecksInFlight,
    Duration checkTimeout,
    Map<String, Double> modelRates,
    Map<String, Tolerance> modelTolerances) {

  public static TrustSettings from(Config config) {
    SettingsReader c = new SettingsReader(config, "rigserve.trust");
    String share = "a share from 0.0 to 1.0";
    return new TrustSettings(
        c.number("sample-rate", 0, 1, share),
        c.number("probation-rate", 0, 1, share),
        c.integer("probation-runs", 0, Integer.MAX_VALUE, "a count of runs, 0 or more"),
        new Tolerance(c.number("absolute-tolerance", 0, Double.MAX_VALUE, "a number, 0 or more"),
            c.number("relative-tolerance", 0, Double.MAX_VALUE, "a number, 0 or more")),
        c.number("strike-threshold", 0.001, 1_000_000, "a number of strikes greater than 0"),
        c.integer("agreements-per-strike", 1, Integer.MAX_VALUE, "a count of agreements, 1 or more"),
        c.integer("max-checks-in-flight", 0, 1_000_000, "a count of checks, 0 or more"),
        c.duration("check-timeout"),
        rates(c),
        tolerances(c));
  }

  /** The rate set for {@code model}, else the default. */
  public double rate(String model) {
    return modelRates.getOrDefault(model, sampleRate);
  }

  public Tolerance tolerance(String model) {
    return modelTolerances.getOrDefault(model, tolerance);
  }

  private static Map<String, Double> rates(SettingsReader c) {
    Map<String, Double> rates = new HashMap<>();
    String value = c.string("model-rates");
    String accepted = "a comma-separated list of model=rate, each rate from 0.0 to 1.0 (\"fraud=1.0,resnet=0.05\")";
    for (String entry : entries(value)) {
      String[] kv = entry.split("=", 2);
      double rate = parse(c, "model-rates", value, kv, accepted);
      if (rate < 0 || rate > 1) throw c.invalid("model-rates", value, accepted);
      rates.put(kv[0].strip(), rate);
    }
    return Map.copyOf(rates);
  }

  private static Map<String, Tolerance> tolerances(SettingsReader c) {
    Map<String, Tolerance> tolerances = new HashMap<>();
    String value = c.string("model-tolerances");
    String accepted = "a comma-separated list of model=absolute/relative (\"resnet=1e-3/1e-2\")";
    for (String entry : entries(value)) {
      String[] kv = entry.split("=", 2);
      String[] bounds = kv.length == 2 ? kv[1].split("/", 2) : new String[0];
      if (bounds.length != 2) throw c.invalid("model-tolerances", value, accepted);
      double absolute = parse(c, "model-tolerances", value, new String[] {kv[0], bounds[0]}, accepted);
      double relative = parse(c, "model-tolerances", value, new String[] {kv[0], bounds[1]}, accepted);
      if (absolute < 0 || relative < 0) throw c.invalid("model-tolerances", value, accepted);
      tolerances.put(kv[0].strip(), new Tolerance(absolute, relative));
    }
    return Map.copyOf(tolerances);
  }

  private static String[] entries(String value) {
    return value.isBlank() ? new String[0] : value.split(",");
  }

  private static double parse(SettingsReader c, String key, String value, String[] kv, String accepted) {
    if (kv.length != 2 || kv[0].isBlank()) throw c.invalid(key, value, accepted);
    try {
      double d = Double.parseDouble(kv[1].strip());
      if (Double.isNaN(d)) throw c.invalid(key, value, accepted);
      return d;
    } catch (NumberFormatException e) {
      throw c.invalid(key, value, accepted);
    }
  }
}
