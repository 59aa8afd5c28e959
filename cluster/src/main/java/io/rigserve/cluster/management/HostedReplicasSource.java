package io.rigserve.cluster.management;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Address;

/**
 * Which model replicas each rig hosts, for {@code GET /admin/cluster}. The cluster module does not
 * know replicas; the serving side supplies them. Each element is written as JSON as it is (a
 * string such as {@code "resnet@1/p0/r1"}, or a record).
 */
@FunctionalInterface
public interface HostedReplicasSource {

  /** Rigs missing from the map host nothing. */
  CompletionStage<Map<Address, List<?>>> hostedReplicas();

  /** For a rig that hosts nothing yet, or before the serving side is wired in. */
  HostedReplicasSource NONE = () -> CompletableFuture.completedFuture(Map.of());
}
