package io.rigserve.cluster.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.settings.SettingsReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Timings of failure detection, downing and RTT probing, read once at start from {@code
 * rigserve.cluster}. The detector and Split Brain Resolver values are handed to Pekko by {@link
 * RigConfig}; the rest drive {@code RegionTopology}, {@code RttProber} and {@code RegionDowning}.
 *
 * @param heartbeatInterval heartbeats between rigs of one region
 * @param acceptableHeartbeatPause silence tolerated inside a region before a rig is unreachable
 * @param crossRegionHeartbeatInterval heartbeats between regions
 * @param crossRegionAcceptablePause silence tolerated between regions before one is unreachable
 * @param splitBrainStrategy the Split Brain Resolver strategy inside each region
 * @param stableAfter how long reachability must stay unchanged before the resolver decides
 * @param regionDownGrace how long a whole other region must stay unreachable before it is downed
 * @param restartDelay wait before a downed rig builds its new actor system
 * @param probeInterval period of RTT probes
 * @param probeTimeout a probe unanswered for this long is forgotten
 * @param remoteProbesPerRegion rigs probed in each other region per period
 * @param ewmaWeight weight of a new RTT sample in the moving average (0 exclusive to 1)
 * @param rttPublishInterval period at which this rig publishes its measured RTTs to other regions
 */
public record ClusterSettings(
    Duration heartbeatInterval,
    Duration acceptableHeartbeatPause,
    Duration crossRegionHeartbeatInterval,
    Duration crossRegionAcceptablePause,
    String splitBrainStrategy,
    Duration stableAfter,
    Duration regionDownGrace,
    Duration restartDelay,
    Duration probeInterval,
    Duration probeTimeout,
    int remoteProbesPerRegion,
    double ewmaWeight,
    Duration rttPublishInterval) {

  /** Strategies that need nothing beyond the members themselves (no lease, no fixed quorum). */
  public static final List<String> STRATEGIES = List.of("keep-majority", "keep-oldest", "down-all");

  private static final Duration HOUR = Duration.ofHours(1);

  public static ClusterSettings from(Config config) {
    SettingsReader c = new SettingsReader(config, "rigserve.cluster");
    ClusterSettings s =
        new ClusterSettings(
            c.duration("failure-detector.heartbeat-interval", Duration.ofMinutes(1)),
            c.duration("failure-detector.acceptable-heartbeat-pause", HOUR),
            c.duration("cross-region-failure-detector.heartbeat-interval", Duration.ofMinutes(1)),
            c.duration("cross-region-failure-detector.acceptable-heartbeat-pause", HOUR),
            c.oneOf("split-brain-resolver.active-strategy", STRATEGIES),
            c.duration("split-brain-resolver.stable-after", HOUR),
            c.duration("region-down-grace", Duration.ofDays(1)),
            c.duration("restart-delay", Duration.ofMinutes(10)),
            c.duration("rtt.probe-interval", Duration.ofMinutes(10)),
            c.duration("rtt.probe-timeout", Duration.ofMinutes(10)),
            c.integer("rtt.remote-probes-per-region", 1, 100, "a whole number from 1 to 100"),
            c.number("rtt.ewma-weight", 0, 1, "a number greater than 0 and at most 1, such as 0.3"),
            c.duration("rtt.publish-interval", Duration.ofMinutes(10)));
    if (s.ewmaWeight() == 0) {
      throw c.invalid("rtt.ewma-weight", 0, "a number greater than 0 and at most 1, such as 0.3");
    }
    // A region settles its own failures (detection + stable-after) before other regions judge
    // it: otherwise one crashed rig could get its whole region downed from outside.
    Duration settle = s.acceptableHeartbeatPause().plus(s.stableAfter());
    if (s.regionDownGrace().compareTo(settle) <= 0) {
      throw c.invalid("region-down-grace", c.string("region-down-grace"),
          "a duration longer than failure-detector.acceptable-heartbeat-pause + "
              + "split-brain-resolver.stable-after (" + settle.toMillis() + "ms)");
    }
    return s;
  }

  /** The Pekko settings these values stand for; {@link RigConfig} puts them over the loaded config. */
  public Config toPekkoConfig() {
    return ConfigFactory.parseMap(
        Map.of(
            "pekko.cluster.failure-detector.heartbeat-interval", millis(heartbeatInterval),
            "pekko.cluster.failure-detector.acceptable-heartbeat-pause", millis(acceptableHeartbeatPause),
            "pekko.cluster.multi-data-center.failure-detector.heartbeat-interval",
                millis(crossRegionHeartbeatInterval),
            "pekko.cluster.multi-data-center.failure-detector.acceptable-heartbeat-pause",
                millis(crossRegionAcceptablePause),
            "pekko.cluster.split-brain-resolver.active-strategy", splitBrainStrategy,
            "pekko.cluster.split-brain-resolver.stable-after", millis(stableAfter)));
  }

  private static String millis(Duration d) {
    return d.toMillis() + "ms";
  }
}
