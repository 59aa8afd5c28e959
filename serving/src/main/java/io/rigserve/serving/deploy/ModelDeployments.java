package io.rigserve.serving.deploy;

import io.rigserve.cluster.Failures;
import io.rigserve.serving.error.InvalidModel;
import io.rigserve.serving.error.ModelConflict;
import io.rigserve.serving.error.ModelNotReady;
import io.rigserve.serving.error.UnknownModel;
import io.rigserve.serving.model.ModelCatalog;
import io.rigserve.serving.repository.ClusterPresence;
import io.rigserve.serving.repository.ModelRepository;
import io.rigserve.serving.repository.ModelVersion;
import io.rigserve.serving.repository.StoredVersion;
import io.rigserve.serving.repository.VersionState;
import io.rigserve.sharding.placement.Deployment;
import io.rigserve.sharding.placement.DeploymentRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.Patterns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model repository extension as one core API, the one REST and gRPC both call: load a model
 * (every version on this rig's disk, cut, published with the origins of every rig that holds the
 * same cut), unload it, and each version's state for the index. Changes run one after another;
 * each completes once this rig sees its effect (the versions servable, the model gone), or fails
 * with {@link ModelNotReady} after the load timeout. Nothing here blocks a caller: disk and ONNX
 * work runs on the blocking executor, waits on Pekko's scheduler.
 */
public final class ModelDeployments {

  /** How often a wait looks again: the replica directory, which a wait follows, has no change events. */
  private static final Duration POLL = Duration.ofMillis(100);
  /** Longest a version cut anew waits for the replicas of its old cut to stop. */
  private static final Duration REDEPLOY_WAIT = Duration.ofSeconds(60);
  /** How long a joining rig waits for a majority's view of the deployments before using its own. */
  private static final Duration MAJORITY_WAIT = Duration.ofSeconds(5);
  private static final Logger log = LoggerFactory.getLogger(ModelDeployments.class);

  private final ActorSystem<?> system;
  private final ModelRepository repository;
  private final ModelDeployer deployer;
  private final DeploymentRegistry registry;
  private final ModelCatalog catalog;
  private final Executor blocking;
  private final Duration loadTimeout;
  /** model@version -> why it could not be deployed from this rig. */
  private final Map<String, String> failures = new ConcurrentHashMap<>();
  /** Models unloaded on purpose (shown as such in the index). */
  private final Set<String> unloaded = ConcurrentHashMap.newKeySet();
  /** model@version on disk that a returning rig did not deploy (unloaded while it was away) -> why. */
  private final Map<String, String> heldBack = new ConcurrentHashMap<>();
  /** model@version published from this rig and not yet in the catalog: loading, not absent. */
  private final Set<String> published = ConcurrentHashMap.newKeySet();
  /** The change in progress, or the last one: the next starts when it has ended. */
  private CompletableFuture<?> lastChange = CompletableFuture.completedFuture(null);

  public ModelDeployments(ActorSystem<?> system, ModelRepository repository, ModelDeployer deployer,
      ModelCatalog catalog, Executor blocking, Duration loadTimeout) {
    this.system = system;
    this.repository = repository;
    this.deployer = deployer;
    this.registry = DeploymentRegistry.get(system);
    this.catalog = catalog;
    this.blocking = blocking;
    this.loadTimeout = loadTimeout;
    // Once seen in the cluster, a version's absence means it was unloaded (by any rig).
    catalog.onDeploymentsChange(now -> published.removeIf(now::containsKey));
  }

  /**
   * Deploys every version of {@code name} on this rig's disk; completes when this rig can serve
   * each of them (every partition has a ready replica it reaches).
   */
  public CompletionStage<Void> load(String name, DeployParameters parameters) {
    return inTurn(() -> deploy(name, parameters, Set.of())).thenCompose(this::whenServable);
  }

  /** Stops serving {@code name} everywhere; completes when this rig no longer serves any version of it. */
  public CompletionStage<Void> unload(String name) {
    return inTurn(() -> withdraw(name)).thenCompose(done -> whenGone(name));
  }

  /** Every model version on this rig's disk with its state in the cluster (only the READY ones when {@code readyOnly}). */
  public List<ModelVersion> index(boolean readyOnly) {
    return repository.index().stream().map(this::state)
        .filter(v -> !readyOnly || v.state() == VersionState.READY)
        .toList();
  }

  /** True while a version on this rig's disk is being deployed: published, not yet servable. */
  public boolean loading() {
    return repository.index().stream().anyMatch(v -> state(v).state() == VersionState.LOADING);
  }

  /**
   * Deploys what this rig's disk holds, told by a majority what the cluster deploys (kept as it
   * is) and what it unloaded (not brought back). A rig that was away from a running cluster longer
   * than unloads are remembered deploys nothing the cluster lacks. Completes with the deployments
   * the cluster had, once every model was tried; failures show in the index.
   */
  public CompletionStage<Map<String, Deployment>> deployDisk(ClusterPresence presence) {
    Cluster cluster = Cluster.get(system);
    boolean othersRunning = StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .anyMatch(m -> !m.equals(cluster.selfMember()));
    CompletionStage<Boolean> awayTooLong = CompletableFuture.supplyAsync(
        () -> othersRunning && presence.awayLongerThan(registry.tombstoneLifetime(), Instant.now()), blocking);
    return registry.currentFromMajority(MAJORITY_WAIT)
        .thenCombine(registry.tombstonesFromMajority(MAJORITY_WAIT), (deployed, tombstones) ->
            awayTooLong.thenCompose(away -> inTurn(() -> deployAll(deployed, tombstones.keySet(), away)))
                .thenApply(done -> (Map<String, Deployment>) deployed))
        .thenCompose(deployed -> deployed);
  }

  /**
   * Deploys every model on disk with the default parameters, except versions the cluster already
   * deploys (a rig coming back must not replace what was loaded while it was away), versions with
   * a tombstone, and, when {@code awayTooLong}, every version the cluster does not deploy.
   */
  private CompletionStage<Void> deployAll(Map<String, Deployment> inCluster, Set<String> tombstones, boolean awayTooLong) {
    if (awayTooLong) {
      log.warn("This rig was away from the cluster longer than unloads are remembered ({}); "
          + "it deploys nothing from its disk that the cluster does not deploy", registry.tombstoneLifetime());
    }
    CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
    for (String name : repository.index().stream().map(StoredVersion::name).distinct().toList()) {
      Set<String> leave = new HashSet<>();
      List<String> held = new ArrayList<>();
      for (StoredVersion v : repository.versions(name)) {
        String key = key(name, v.version());
        if (inCluster.containsKey(key)) {
          leave.add(key);
        } else if (tombstones.contains(key) || awayTooLong) {
          leave.add(key);
          held.add(v.version());
          heldBack.put(key, tombstones.contains(key)
              ? "unloaded in the cluster while this rig was away"
              : "not deployed in the cluster, which this rig left longer ago than unloads are remembered");
        }
      }
      if (!held.isEmpty()) log.info("model {} versions {} not deployed again: {}", name, held, heldBack.get(key(name, held.get(0))));
      all = all.thenCompose(x -> deploy(name, DeployParameters.defaults(), leave).handle((deployed, error) -> {
        if (error != null) log.warn("model {} did not load: {}", name, Failures.describe(error));
        return null;
      }));
    }
    return all;
  }

  /** Cuts and publishes every version of {@code name} on disk but those in {@code keep}, one by one. */
  private CompletionStage<List<Deployment>> deploy(String name, DeployParameters parameters, Set<String> keep) {
    ModelRepository.checkName(name);
    return CompletableFuture.supplyAsync(() -> repository.rescan(name), blocking).thenCompose(versions -> {
      if (versions.isEmpty()) {
        throw new UnknownModel("no model '" + name + "' in the repository (expected " + repository.root().resolve(name)
            + "/<version>/" + ModelRepository.MODEL_FILE + ")");
      }
      unloaded.remove(name);
      List<Deployment> deployed = new ArrayList<>();
      List<String> failed = new ArrayList<>();
      List<String> kept = new ArrayList<>();
      CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
      for (StoredVersion v : versions) {
        String key = key(name, v.version());
        if (keep.contains(key)) {
          kept.add(v.version());
          continue;
        }
        all = all.thenCompose(x -> deployVersion(v, parameters).handle((d, error) -> {
          if (error == null) {
            deployed.add(d);
            failures.remove(key);
            heldBack.remove(key);
          } else {
            failures.put(key, Failures.describe(error));
            failed.add("version " + v.version() + ": " + Failures.describe(error));
          }
          return null;
        }));
      }
      return all.thenApply(x -> {
        if (!failed.isEmpty()) {
          throw new InvalidModel("model '" + name + "' did not load: " + String.join("; ", failed));
        }
        if (!kept.isEmpty()) log.info("model {} versions {} already deployed in the cluster or unloaded there: left as they are", name, kept);
        if (!deployed.isEmpty()) log.info("model {} deployed, versions {}", name, deployed.stream().map(Deployment::version).toList());
        return deployed;
      });
    });
  }

  private CompletionStage<Deployment> deployVersion(StoredVersion v, DeployParameters parameters) {
    return CompletableFuture.supplyAsync(() -> registry.signed(deployer.prepare(v.name(), v.version(), v.file(), parameters)), blocking)
        .thenCompose(this::publish);
  }

  /**
   * Publishes {@code d}. The same cut as deployed already (several rigs deploy the same files)
   * keeps every rig that holds it as an origin. A version deployed before in another cut is first
   * withdrawn and its replicas waited out: replicas keep their entity ids, so old ones must not
   * serve stages of the old cut.
   */
  private CompletionStage<Deployment> publish(Deployment d) {
    Optional<Deployment> current = catalog.deployment(d.model(), d.version());
    if (current.isPresent() && Arrays.equals(current.get().partitionSha256(), d.partitionSha256())) {
      Set<String> origins = new LinkedHashSet<>(List.of(current.get().origins()));
      origins.addAll(List.of(d.origins()));
      // The same signed content keeps its signature: a rig without the deploy key may still add itself as an origin.
      Deployment signer = Arrays.equals(current.get().signedContent(), d.signedContent()) ? current.get() : d;
      Deployment merged = signer.withOrigins(origins.toArray(new String[0]));
      return merged.equals(current.get())
          ? CompletableFuture.completedFuture(merged)
          : registry.publish(merged).thenApply(done -> merged);
    }
    CompletionStage<Void> oldCutGone = current.isPresent() ? withdrawCut(d) : CompletableFuture.completedFuture(null);
    return oldCutGone
        .thenCompose(x -> {
          published.add(d.key());
          return registry.publish(d);
        })
        .whenComplete((done, error) -> {
          if (error != null) published.remove(d.key());
        })
        .thenApply(done -> d);
  }

  private CompletionStage<Void> withdrawCut(Deployment d) {
    return registry.remove(d.key())
        .thenCompose(done -> eventually(() -> !catalog.hasReplicas(d.model(), d.version()), REDEPLOY_WAIT))
        .thenAccept(stopped -> {
          if (!stopped) {
            throw new ModelConflict("the replicas of " + d.key() + " did not stop within " + REDEPLOY_WAIT.toSeconds()
                + " s; load it again, or unload it first");
          }
        });
  }

  private CompletionStage<Void> withdraw(String name) {
    ModelRepository.checkName(name);
    List<Deployment> deployed = catalog.deployments().stream().filter(d -> d.model().equals(name)).toList();
    if (deployed.isEmpty() && !repository.hasModel(name)) {
      throw new UnknownModel("no model '" + name + "' in the repository");
    }
    CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
    for (Deployment d : deployed) {
      all = all.thenCompose(x -> signedRemove(d.key())).thenAccept(done -> published.remove(d.key()));
    }
    return all.thenRun(() -> {
      published.removeIf(key -> key.startsWith(name + "@"));
      unloaded.add(name);
      log.info("model {} unloaded", name);
    });
  }

  /** Withdraws {@code key}; a withdraw this rig may not sign (no trusted deploy key) is the caller's conflict. */
  private CompletionStage<Void> signedRemove(String key) {
    return registry.remove(key).handle((done, error) -> {
      if (error == null) return null;
      Throwable cause = Failures.unwrap(error);
      if (cause instanceof IllegalArgumentException refused) throw new ModelConflict(refused.getMessage());
      throw new CompletionException(cause);
    });
  }

  private CompletionStage<Void> whenServable(List<Deployment> deployed) {
    return eventually(() -> deployed.stream().allMatch(this::servesAsPublished), loadTimeout).thenAccept(ready -> {
      if (!ready) {
        throw new ModelNotReady("deployed, but not ready in time: " + String.join("; ", deployed.stream()
            .filter(d -> !servesAsPublished(d))
            .map(d -> d.key() + ": " + catalog.missing(d) + catalog.whyNotReady(d)).toList()));
      }
    });
  }

  /** The catalog holds {@code d} as published (not an older or newer deployment) and can serve it. */
  private boolean servesAsPublished(Deployment d) {
    return catalog.deployment(d.model(), d.version()).filter(d::equals).isPresent() && catalog.servable(d);
  }

  private CompletionStage<Void> whenGone(String name) {
    BooleanSupplier gone = () -> catalog.deployments().stream().noneMatch(d -> d.model().equals(name));
    return eventually(gone, loadTimeout).thenAccept(isGone -> {
      if (!isGone) throw new ModelNotReady("model '" + name + "' is still deployed");
    });
  }

  private ModelVersion state(StoredVersion v) {
    String key = key(v.name(), v.version());
    Optional<Deployment> d = catalog.deployment(v.name(), v.version());
    if (d.isPresent()) {
      String missing = catalog.missing(d.get());
      return missing.isEmpty()
          ? new ModelVersion(v.name(), v.version(), VersionState.READY, "", v.sha256())
          : new ModelVersion(v.name(), v.version(), VersionState.LOADING, missing, v.sha256());
    }
    if (published.contains(key)) {
      return new ModelVersion(v.name(), v.version(), VersionState.LOADING, "published, not yet known on this rig", v.sha256());
    }
    String why = failures.getOrDefault(key, registry.refusal(key).orElse(heldBack.get(key)));
    if (why == null) why = unloaded.contains(v.name()) ? "unloaded" : "not loaded";
    return new ModelVersion(v.name(), v.version(), VersionState.UNAVAILABLE, why, v.sha256());
  }

  /** Runs {@code change} once the change before it has ended, however that ended. */
  private synchronized <T> CompletionStage<T> inTurn(Supplier<CompletionStage<T>> change) {
    CompletableFuture<T> next = lastChange.handle((x, error) -> null).thenCompose(x -> change.get()).toCompletableFuture();
    lastChange = next;
    return next;
  }

  /**
   * True once {@code reached} holds, looked at now and every {@link #POLL} on Pekko's scheduler;
   * false when it still does not after {@code within}.
   */
  private CompletionStage<Boolean> eventually(BooleanSupplier reached, Duration within) {
    int retries = (int) Math.max(1, within.toMillis() / POLL.toMillis());
    return Patterns.retry(() -> reached.getAsBoolean()
                ? CompletableFuture.completedFuture(true)
                : CompletableFuture.<Boolean>failedFuture(NotYet.INSTANCE),
            retries, POLL, system)
        .handle((ok, error) -> {
          if (error == null) return true;
          if (Failures.unwrap(error) == NotYet.INSTANCE) return false;
          throw new CompletionException(error);
        });
  }

  private static String key(String model, String version) {
    return model + "@" + version;
  }

  /** What a look that finds the awaited state not yet reached fails with, to be looked at again. */
  private static final class NotYet extends RuntimeException {
    static final NotYet INSTANCE = new NotYet();

    private NotYet() {
      super("not yet", null, false, false);
    }
  }
}
