package io.rigserve.serving.deploy;

import io.rigserve.sharding.placement.Deployment;
import io.rigserve.sharding.placement.DeploymentRegistry;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * This rig's copy of the cluster-wide deployments, kept current from Distributed Data, with
 * their descriptors decoded once. Reading it never blocks: gateways consult it on every request.
 */
public final class DeploymentCache {

  private volatile SortedMap<String, Deployment> deployments = Collections.emptySortedMap();
  private final Map<String, ModelDescriptor> descriptors = new ConcurrentHashMap<>();

  private DeploymentCache() {}

  public static DeploymentCache follow(ActorSystem<?> system) {
    DeploymentCache cache = new DeploymentCache();
    DeploymentRegistry.get(system).subscribe(current -> cache.deployments = Collections.unmodifiableSortedMap(new TreeMap<>(current)));
    return cache;
  }

  public Optional<Deployment> get(String model, String version) {
    return Optional.ofNullable(deployments.get(model + "@" + version));
  }

  /** Every deployed version of {@code model}, in numeric order where versions are numbers. */
  public List<Deployment> versionsOf(String model) {
    return deployments.values().stream()
        .filter(d -> d.model().equals(model))
        .sorted((a, b) -> compareVersions(a.version(), b.version()))
        .toList();
  }

  public List<Deployment> all() {
    return List.copyOf(deployments.values());
  }

  public ModelDescriptor descriptor(Deployment d) {
    return descriptors.computeIfAbsent(d.key() + "#" + java.util.Arrays.hashCode(d.descriptor()),
        k -> ModelDescriptor.fromBytes(d.descriptor()));
  }

  static int compareVersions(String a, String b) {
    try {
      return Long.compare(Long.parseLong(a), Long.parseLong(b));
    } catch (NumberFormatException e) {
      return a.compareTo(b);
    }
  }
}
