package io.rigserve.serving.repository;

import io.rigserve.serving.deploy.DeployParameters;
import io.rigserve.serving.model.ModelCatalog;
import io.rigserve.serving.deploy.ModelDeployer;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.error.InvalidModel;
import io.rigserve.serving.error.ModelConflict;
import io.rigserve.serving.error.UnknownModel;
import io.rigserve.serving.runtime.ModelLoadException;
import io.rigserve.serving.runtime.TrialLoad;
import io.rigserve.sharding.placement.Deployment;
import io.rigserve.sharding.placement.DeploymentRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models on this rig's disk in Triton's layout ({@code <root>/<model>/<version>/model.onnx}):
 * uploads land here, and loading a model deploys its versions to the cluster (cut into stages,
 * placed on rigs by region, loaded there). Changes are serialized and blocking: callers run them
 * off Pekko's dispatchers.
 */
public final class ModelRepository {

  public static final String MODEL_FILE = "model.onnx";
  static final String SHA_FILE = "model.onnx.sha256";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
  private static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");
  private static final Logger log = LoggerFactory.getLogger(ModelRepository.class);
  private static final java.time.Duration REDEPLOY_WAIT = java.time.Duration.ofSeconds(60);

  private final Path root;
  private final TrialLoad trialLoad;
  private final ModelDeployer deployer;
  private final DeploymentRegistry registry;
  private final ModelCatalog catalog;
  /** model@version -> why it could not be deployed from this rig. */
  private final Map<String, String> failures = new ConcurrentHashMap<>();
  /** Models unloaded on purpose (shown as such in the index). */
  private final Set<String> unloaded = ConcurrentHashMap.newKeySet();
  /** model@version on disk that a returning rig did not deploy (unloaded while it was away) -> why. */
  private final Map<String, String> heldBack = new ConcurrentHashMap<>();
  /** model@version published from this rig and not yet seen back in the cluster-wide map. */
  private final Set<String> published = ConcurrentHashMap.newKeySet();

  public ModelRepository(Path root, TrialLoad trialLoad, ModelDeployer deployer, DeploymentRegistry registry,
      ModelCatalog catalog) {
    this.root = root;
    this.trialLoad = trialLoad;
    this.deployer = deployer;
    this.registry = registry;
    this.catalog = catalog;
    try {
      Files.createDirectories(root);
      Folders.deleteQuietly(root.resolve(".staging"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the model repository at " + root, e);
    }
  }

  public Path root() {
    return root;
  }

  /**
   * Deploys every model version found on disk with the default parameters, except versions the
   * cluster already deploys (a rig coming back must not replace what was loaded while it was
   * away), versions with a tombstone (unloaded while it was away), and, when {@code awayTooLong}
   * (away longer than tombstones are kept), every version the cluster does not deploy. Versions
   * held back show as unavailable until loaded again. Failures are recorded, not thrown.
   */
  public void loadAll(Map<String, Deployment> inCluster, Set<String> tombstones, boolean awayTooLong) {
    for (String name : modelNamesOnDisk()) {
      Set<String> leave = new java.util.HashSet<>();
      List<String> held = new ArrayList<>();
      for (String version : versionsOnDisk(root.resolve(name))) {
        String key = name + "@" + version;
        if (inCluster.containsKey(key)) {
          leave.add(key);
        } else if (tombstones.contains(key) || awayTooLong) {
          leave.add(key);
          held.add(version);
          heldBack.put(key, tombstones.contains(key)
              ? "unloaded in the cluster while this rig was away"
              : "not deployed in the cluster, which this rig left longer ago than unloads are remembered");
        }
      }
      if (!held.isEmpty()) log.info("model {} versions {} not deployed again: {}", name, held, heldBack.get(name + "@" + held.get(0)));
      try {
        load(name, DeployParameters.defaults(), leave);
      } catch (RuntimeException e) {
        log.warn("model {} did not load: {}", name, e.getMessage());
      }
    }
  }

  /**
   * Deploys every version of {@code name} on this rig's disk to the cluster (cut, stored for
   * other rigs, published) and returns the deployments; replicas load on the rigs placement picks.
   */
  public List<Deployment> load(String name, DeployParameters parameters) {
    return load(name, parameters, Set.of());
  }

  private synchronized List<Deployment> load(String name, DeployParameters parameters, Set<String> keep) {
    checkName(name);
    Path dir = root.resolve(name);
    List<String> versions = versionsOnDisk(dir);
    if (versions.isEmpty()) {
      throw new UnknownModel("no model '" + name + "' in the repository (expected " + dir + "/<version>/" + MODEL_FILE + ")");
    }
    unloaded.remove(name);
    List<Deployment> deployed = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (String version : versions) {
      if (keep.contains(name + "@" + version)) {
        kept.add(version);
        continue;
      }
      try {
        deployed.add(publish(deployer.prepare(name, version, dir.resolve(version).resolve(MODEL_FILE), parameters)));
        failures.remove(name + "@" + version);
        heldBack.remove(name + "@" + version);
        published.add(name + "@" + version);
      } catch (RuntimeException e) {
        failures.put(name + "@" + version, String.valueOf(e.getMessage()));
        failed.add("version " + version + ": " + e.getMessage());
      }
    }
    if (!failed.isEmpty()) {
      throw new InvalidModel("model '" + name + "' did not load: " + String.join("; ", failed));
    }
    if (!kept.isEmpty()) log.info("model {} versions {} already deployed in the cluster or unloaded there: left as they are", name, kept);
    if (!deployed.isEmpty()) log.info("model {} deployed, versions {}", name, versions.stream().filter(v -> !kept.contains(v)).toList());
    return deployed;
  }

  /**
   * Publishes {@code d}. A version deployed before in another shape (other stages) is first
   * withdrawn and its replicas waited out: replicas keep their entity ids, so old ones must not
   * keep serving stages of the old cut.
   */
  private Deployment publish(Deployment d) {
    Optional<Deployment> current = catalog.deployments().stream().filter(x -> x.key().equals(d.key())).findFirst();
    if (current.isPresent() && java.util.Arrays.equals(current.get().partitionSha256(), d.partitionSha256())) {
      // The same cut (several rigs deploy the same files): keep every rig that holds them as an origin.
      java.util.Set<String> origins = new java.util.LinkedHashSet<>(List.of(current.get().origins()));
      origins.addAll(List.of(d.origins()));
      Deployment merged = new Deployment(d.model(), d.version(), d.partitions(), d.regions(), d.replicasPerRegion(),
          d.partitionBytes(), d.partitionSha256(), origins.toArray(new String[0]), d.descriptor());
      if (!merged.equals(current.get())) registry.publish(merged).toCompletableFuture().join();
      return merged;
    }
    if (current.isPresent()) {
      registry.remove(d.key()).toCompletableFuture().join();
      long deadline = System.nanoTime() + REDEPLOY_WAIT.toNanos();
      while (catalog.hasReplicas(d.model(), d.version()) && System.nanoTime() < deadline) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while replacing " + d.key(), e);
        }
      }
      if (catalog.hasReplicas(d.model(), d.version())) {
        throw new ModelConflict("the replicas of " + d.key() + " did not stop within " + REDEPLOY_WAIT.toSeconds()
            + " s; load it again, or unload it first");
      }
    }
    registry.publish(d).toCompletableFuture().join();
    return d;
  }

  /** Stops serving {@code name} everywhere; replicas finish their in-flight runs before they close. */
  public synchronized void unload(String name) {
    checkName(name);
    List<Deployment> deployed = catalog.deployments().stream().filter(d -> d.model().equals(name)).toList();
    if (deployed.isEmpty() && versionsOnDisk(root.resolve(name)).isEmpty()) {
      throw new UnknownModel("no model '" + name + "' in the repository");
    }
    for (Deployment d : deployed) {
      registry.remove(d.key()).toCompletableFuture().join();
      published.remove(d.key());
    }
    published.removeIf(key -> key.startsWith(name + "@"));
    unloaded.add(name);
    log.info("model {} unloaded", name);
  }

  /** True when this rig's repository holds {@code name}. */
  public boolean hasModel(String name) {
    return name != null && NAME.matcher(name).matches() && !versionsOnDisk(root.resolve(name)).isEmpty();
  }

  /**
   * Moves a fully received upload ({@code staged}, a file under {@link #stagingDir}) into place
   * as {@code name/version} after checking it, and records its sha256. The served models are
   * untouched: the new version serves after {@link #load}.
   */
  public void place(String name, String version, Path staged, String sha256) {
    checkName(name);
    checkVersion(version);
    Path target = root.resolve(name).resolve(version);
    if (Files.exists(target)) {
      throw new ModelConflict("model '" + name + "' already has a version " + version);
    }
    ModelArtifactCheck.check(staged);
    // The first load of an upload runs in a child process: a model crashing ONNX Runtime must not
    // take the rig down. Once placed, the version loads in the rig itself (ModelDeployer). Not
    // under the lock: a slow trial must not hold up loads and unloads.
    try {
      TrialLoad.Signature trial = trialLoad.run(staged);
      log.debug("upload of {}/{} loads: {} inputs", name, version, trial.inputs().size());
    } catch (ModelLoadException e) {
      throw new InvalidModel("ONNX Runtime cannot load the uploaded model: " + e.getMessage(), e);
    }
    move(name, version, staged, sha256, target);
  }

  private synchronized void move(String name, String version, Path staged, String sha256, Path target) {
    if (Files.exists(target)) {
      throw new ModelConflict("model '" + name + "' already has a version " + version);
    }
    try {
      Path dir = staged.getParent();
      Files.writeString(dir.resolve(SHA_FILE), sha256 + "\n", StandardCharsets.UTF_8);
      Files.createDirectories(target.getParent());
      Files.move(dir, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot place the upload of " + name + "/" + version, e);
    }
    log.info("model {} version {} stored, sha256 {}", name, version, sha256);
  }

  /** A fresh folder for an upload in progress, on the same file system as its destination. */
  public Path stagingDir(String name, String version) {
    checkName(name);
    checkVersion(version);
    if (Files.exists(root.resolve(name).resolve(version))) {
      throw new ModelConflict("model '" + name + "' already has a version " + version);
    }
    try {
      Path staging = root.resolve(".staging");
      Files.createDirectories(staging);
      return Files.createTempDirectory(staging, name + "-" + version + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a staging folder in " + root, e);
    }
  }

  /** Writes a model file directly (the demo model, tests); does not load it. */
  public synchronized void store(String name, String version, byte[] onnx) {
    checkName(name);
    checkVersion(version);
    Path dir = root.resolve(name).resolve(version);
    try {
      Files.createDirectories(dir);
      Files.write(dir.resolve(MODEL_FILE), onnx);
      Files.writeString(dir.resolve(SHA_FILE), Sha256.hex(digestOf(onnx)) + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir, e);
    }
  }

  /** Every model version on this rig's disk, with its state in the cluster. */
  public List<ModelVersion> index() {
    List<ModelVersion> all = new ArrayList<>();
    for (String name : modelNamesOnDisk()) {
      for (String version : versionsOnDisk(root.resolve(name))) {
        all.add(state(name, version));
      }
    }
    return all;
  }

  private ModelVersion state(String name, String version) {
    String sha = readSha(name, version);
    Optional<Deployment> d = catalog.deployments().stream()
        .filter(x -> x.model().equals(name) && x.version().equals(version)).findFirst();
    if (d.isPresent()) {
      // Seen in the cluster: from now on its absence means another rig unloaded it.
      published.remove(name + "@" + version);
      String missing = catalog.missing(d.get());
      return missing.isEmpty()
          ? new ModelVersion(name, version, VersionState.READY, "", sha)
          : new ModelVersion(name, version, VersionState.LOADING, missing, sha);
    }
    if (published.contains(name + "@" + version)) {
      return new ModelVersion(name, version, VersionState.LOADING, "published, not yet known on this rig", sha);
    }
    String failure = failures.get(name + "@" + version);
    if (failure != null) return new ModelVersion(name, version, VersionState.UNAVAILABLE, failure, sha);
    String held = heldBack.get(name + "@" + version);
    if (held != null) return new ModelVersion(name, version, VersionState.UNAVAILABLE, held, sha);
    return new ModelVersion(name, version, VersionState.UNAVAILABLE, unloaded.contains(name) ? "unloaded" : "not loaded", sha);
  }

  private String readSha(String name, String version) {
    Path dir = root.resolve(name).resolve(version);
    Path shaFile = dir.resolve(SHA_FILE);
    try {
      if (Files.isRegularFile(shaFile)) {
        return Files.readString(shaFile, StandardCharsets.UTF_8).trim();
      }
      Path model = dir.resolve(MODEL_FILE);
      if (!Files.isRegularFile(model)) return "";
      String sha = Sha256.of(model);
      Files.writeString(shaFile, sha + "\n", StandardCharsets.UTF_8);
      return sha;
    } catch (IOException e) {
      log.warn("cannot read or record the sha256 of {}: {}", dir, e.getMessage());
      return "";
    }
  }

  private List<String> modelNamesOnDisk() {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
      for (Path d : dirs) {
        String n = d.getFileName().toString();
        if (NAME.matcher(n).matches()) names.add(n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the model repository " + root, e);
    }
    names.sort(null);
    return names;
  }

  private static List<String> versionsOnDisk(Path modelDir) {
    if (!Files.isDirectory(modelDir)) return List.of();
    try (Stream<Path> dirs = Files.list(modelDir)) {
      return dirs.filter(d -> VERSION.matcher(d.getFileName().toString()).matches())
          .filter(d -> Files.isRegularFile(d.resolve(MODEL_FILE)))
          .map(d -> d.getFileName().toString())
          .sorted(VERSION_ORDER)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + modelDir, e);
    }
  }

  static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidInput("invalid model name '" + name + "': letters, digits, '_', '.', '-', starting with a letter or digit");
    }
  }

  static void checkVersion(String version) {
    if (version == null || !VERSION.matcher(version).matches()) {
      throw new InvalidInput("invalid model version '" + version + "': a non-negative integer");
    }
  }

  private static java.security.MessageDigest digestOf(byte[] bytes) {
    java.security.MessageDigest d = Sha256.newDigest();
    d.update(bytes);
    return d;
  }

  static final Comparator<String> VERSION_ORDER =
      Comparator.comparingLong(Long::parseLong);
}
