package io.rigserve.serving.routing;

import com.typesafe.config.Config;
import io.rigserve.cluster.node.ClusterSettings;
import io.rigserve.cluster.settings.SettingsReader;
import java.time.Duration;

/**
 * How a gateway routes stages, read once at start ({@code rigserve.serving}, and the cluster's RTT
 * probing for {@code silentAfter}).
 *
 * @param attemptTimeout longest one stage may take on one replica before it is replayed on the next
 * @param breakerFailures failures in a row after which a replica's breaker opens
 * @param breakerCoolDown how long an open breaker keeps stages away before a trial one
 * @param silentAfter how long a region may leave this rig's RTT probes unanswered before routing counts it lost
 */
public record RoutingSettings(Duration attemptTimeout, int breakerFailures, Duration breakerCoolDown, Duration silentAfter) {

  public static RoutingSettings from(Config config, ClusterSettings cluster) {
    SettingsReader s = new SettingsReader(config, "rigserve.serving");
    return new RoutingSettings(
        s.duration("attempt-timeout"),
        s.integer("breaker.failures", 1, Integer.MAX_VALUE, "1 or more"),
        s.duration("breaker.cool-down"),
        silentAfter(cluster));
  }

  /**
   * Two probe periods (an answer may just be late), never less than a probe is waited for, so a
   * busy rig's late answers are not taken for a dead region.
   */
  private static Duration silentAfter(ClusterSettings cluster) {
    Duration twoPeriods = cluster.probeInterval().multipliedBy(2);
    return twoPeriods.compareTo(cluster.probeTimeout()) >= 0 ? twoPeriods : cluster.probeTimeout();
  }
}
