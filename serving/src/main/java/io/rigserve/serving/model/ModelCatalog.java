package io.rigserve.serving.model;

import io.rigserve.cluster.topology.TopologyCache;
import io.rigserve.serving.error.ModelNotReady;
import io.rigserve.serving.error.UnknownModel;
import io.rigserve.serving.routing.ReplicaRanking;
import io.rigserve.sharding.placement.Deployment;
import io.rigserve.sharding.replica.ReplicaDirectory;
import io.rigserve.sharding.replica.ReplicaLocation;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The model versions the cluster serves, as a gateway sees them: a version is servable when every
 * one of its partitions has a ready replica on a rig this rig can reach, in any region.
 */
public final class ModelCatalog {

  /** A deployed version and what a gateway needs to run it. */
  public record ServedVersion(Deployment deployment, ModelDescriptor descriptor) {
    public String name() {
      return deployment.model();
    }

    public String version() {
      return deployment.version();
    }
  }

  private final DeploymentCache deployments;
  private final ReplicaDirectory directory;
  private final TopologyCache topology;
  private final Predicate<String> onLocalDisk;

  public ModelCatalog(DeploymentCache deployments, ReplicaDirectory directory, TopologyCache topology,
      Predicate<String> onLocalDisk) {
    this.deployments = deployments;
    this.directory = directory;
    this.topology = topology;
    this.onLocalDisk = onLocalDisk;
  }

  /** The version to serve: {@code version}, or the newest servable one when it is empty. */
  public ServedVersion resolve(String name, String version) {
    List<Deployment> versions = deployments.versionsOf(name);
    if (versions.isEmpty()) {
      if (onLocalDisk.test(name)) throw new ModelNotReady("model '" + name + "' is not loaded");
      throw new UnknownModel("unknown model '" + name + "'");
    }
    if (version == null || version.isEmpty()) {
      for (int i = versions.size() - 1; i >= 0; i--) {
        if (servable(versions.get(i))) return served(versions.get(i));
      }
      throw new ModelNotReady("model '" + name + "' has no ready version: its replicas are still being placed or loaded");
    }
    Deployment d = versions.stream().filter(v -> v.version().equals(version)).findFirst()
        .orElseThrow(() -> new UnknownModel("model '" + name + "' has no version '" + version + "'"));
    if (!servable(d)) {
      throw new ModelNotReady("model '" + name + "' version " + version + " is not ready: " + missing(d));
    }
    return served(d);
  }

  /** Versions of {@code name} that can be served now. */
  public List<String> servableVersions(String name) {
    return deployments.versionsOf(name).stream().filter(this::servable).map(Deployment::version).toList();
  }

  public boolean servable(Deployment d) {
    return missing(d).isEmpty();
  }

  /** The partitions of {@code d} with no ready, reachable replica ("" when there are none). */
  public String missing(Deployment d) {
    StringBuilder out = new StringBuilder();
    for (int p = 0; p < d.partitions(); p++) {
      boolean ready = directory.snapshot().ofPartition(d.model(), d.version(), p).stream().anyMatch(this::usable);
      if (!ready) out.append(out.length() == 0 ? "no ready replica of partition " : ", ").append(p);
    }
    return out.toString();
  }

  /**
   * Why replicas of {@code d} are not ready: unplaced (capacity short) or failed, with their
   * reasons, in parentheses ("" when none gave one).
   */
  public String whyNotReady(Deployment d) {
    List<String> why = directory.snapshot().replicas().stream()
        .filter(r -> r.id().model().equals(d.model()) && r.id().version().equals(d.version()))
        .filter(r -> !r.isReady() && !r.reason().isEmpty())
        .map(r -> r.id() + " in " + r.region() + ": " + r.reason())
        .distinct()
        .limit(8)
        .toList();
    return why.isEmpty() ? "" : " (" + String.join("; ", why) + ")";
  }

  /** Ready, and on a rig this rig can reach now. */
  public boolean usable(ReplicaLocation r) {
    return ReplicaRanking.usable(r, topology.view());
  }

  /** True while any replica of {@code model@version} is still placed or running somewhere. */
  public boolean hasReplicas(String model, String version) {
    return directory.snapshot().replicas().stream()
        .anyMatch(r -> r.id().model().equals(model) && r.id().version().equals(version));
  }

  public List<Deployment> deployments() {
    return deployments.all();
  }

  /** The deployment of {@code model@version} this rig knows now. */
  public Optional<Deployment> deployment(String model, String version) {
    return deployments.get(model, version);
  }

  /** Calls {@code listener} with every deployment after each change, once this catalog serves them. */
  public void onDeploymentsChange(Consumer<SortedMap<String, Deployment>> listener) {
    deployments.onChange(listener);
  }

  private ServedVersion served(Deployment d) {
    return new ServedVersion(d, deployments.descriptor(d));
  }
}
