package io.rigserve.serving.model;

import io.rigserve.sharding.placement.Deployment;
import io.rigserve.sharding.placement.DeploymentRegistry;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This rig's copy of the cluster-wide deployments, kept current from Distributed Data, with
 * their descriptors decoded once. Reading it never blocks: gateways consult it on every request.
 * The registry passes only deployments that {@link Deployment#validate() validate}; here those
 * whose descriptor does not decode or does not describe one stage per partition are left out too,
 * with a WARN: any member may publish, and a gateway must never trip over what it published.
 */
public final class DeploymentCache {

  private static final Logger log = LoggerFactory.getLogger(DeploymentCache.class);

  /** The usable deployments, their descriptors, and the descriptors refused (each logged once). */
  private record Usable(SortedMap<String, Deployment> deployments, Map<String, ModelDescriptor> descriptors,
      Set<String> refused) {}

  private volatile Usable current = new Usable(Collections.emptySortedMap(), Map.of(), Set.of());
  private final List<Consumer<SortedMap<String, Deployment>>> listeners = new CopyOnWriteArrayList<>();

  private DeploymentCache() {}

  public static DeploymentCache follow(ActorSystem<?> system) {
    DeploymentCache cache = new DeploymentCache();
    DeploymentRegistry.get(system).subscribe(cache::update);
    return cache;
  }

  /** Called on one actor's thread at a time, after every change of the map. */
  private void update(Map<String, Deployment> published) {
    Usable before = current;
    SortedMap<String, Deployment> deployments = new TreeMap<>();
    Map<String, ModelDescriptor> descriptors = new HashMap<>();
    Set<String> refused = new HashSet<>();
    published.forEach((key, d) -> {
      String descriptorKey = descriptorKey(d);
      ModelDescriptor known = before.descriptors().get(descriptorKey);
      try {
        ModelDescriptor descriptor = known != null ? known : decode(d);
        deployments.put(key, d);
        descriptors.put(descriptorKey, descriptor);
      } catch (IllegalArgumentException e) {
        refused.add(descriptorKey);
        if (!before.refused().contains(descriptorKey)) {
          log.warn("ignoring deployment {} (origins {}): {}", d, List.of(d.origins()), e.getMessage());
        }
      }
    });
    current = new Usable(Collections.unmodifiableSortedMap(deployments), Map.copyOf(descriptors), Set.copyOf(refused));
    listeners.forEach(listener -> listener.accept(current.deployments()));
  }

  /** Calls {@code listener} (on the registry watch's thread) after every change, once the cache holds it. */
  public void onChange(Consumer<SortedMap<String, Deployment>> listener) {
    listeners.add(listener);
  }

  private static ModelDescriptor decode(Deployment d) {
    ModelDescriptor descriptor = ModelDescriptor.fromBytes(d.descriptor());
    if (descriptor.hedgeAfterMillis() < 0 || descriptor.hedgeAfterMillis() > 60_000) {
      throw new IllegalArgumentException("its descriptor hedges after " + descriptor.hedgeAfterMillis() + " ms");
    }
    if (descriptor.stages().size() != d.partitions()) {
      throw new IllegalArgumentException("its descriptor describes " + descriptor.stages().size()
          + " stages for " + d.partitions() + " partitions");
    }
    return descriptor;
  }

  private static String descriptorKey(Deployment d) {
    return d.key() + "#" + Arrays.hashCode(d.descriptor());
  }

  public Optional<Deployment> get(String model, String version) {
    return Optional.ofNullable(current.deployments().get(model + "@" + version));
  }

  /** Every deployed version of {@code model}, in numeric order where versions are numbers. */
  public List<Deployment> versionsOf(String model) {
    return current.deployments().values().stream()
        .filter(d -> d.model().equals(model))
        .sorted((a, b) -> compareVersions(a.version(), b.version()))
        .toList();
  }

  public List<Deployment> all() {
    return List.copyOf(current.deployments().values());
  }

  public ModelDescriptor descriptor(Deployment d) {
    ModelDescriptor known = current.descriptors().get(descriptorKey(d));
    return known != null ? known : decode(d);
  }

  static int compareVersions(String a, String b) {
    try {
      return Long.compare(Long.parseLong(a), Long.parseLong(b));
    } catch (NumberFormatException e) {
      return a.compareTo(b);
    }
  }
}
