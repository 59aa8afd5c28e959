package io.rigserve.sharding.replica;

import java.time.Duration;

/**
 * How replicas move onto and off this rig.
 *
 * @param warmInterval time between warm-ups re-sent to replicas placed here that do not run yet
 * @param rebalanceInterval how often Cluster Sharding moves replicas to their placed rig
 * @param handoffTimeout longest a move waits for the rigs to let go of a replica
 */
public record ReplicaMoves(Duration warmInterval, Duration rebalanceInterval, Duration handoffTimeout) {}
