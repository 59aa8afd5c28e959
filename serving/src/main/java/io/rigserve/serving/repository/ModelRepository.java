package io.rigserve.serving.repository;

import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.error.InvalidModel;
import io.rigserve.serving.error.ModelConflict;
import io.rigserve.serving.error.ModelNotReady;
import io.rigserve.serving.error.UnknownModel;
import io.rigserve.serving.runtime.OnnxModel;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.sharding.replica.PartitionRuntime;
import io.rigserve.sharding.replica.PartitionRuntimes;
import io.rigserve.sharding.replica.ReplicaId;
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
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Models on this rig's disk in Triton's layout ({@code <root>/<model>/<version>/model.onnx}) and
 * the sessions loaded from them. Changes (load, unload, placing an upload) are serialized and
 * blocking: callers run them off Pekko's dispatchers. Lookups read an immutable snapshot.
 */
public final class ModelRepository implements PartitionRuntimes, AutoCloseable {

  public static final String MODEL_FILE = "model.onnx";
  static final String SHA_FILE = "model.onnx.sha256";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
  private static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");
  private static final Logger log = LoggerFactory.getLogger(ModelRepository.class);

  private final Path root;
  private final OnnxRuntime runtime;
  /** model name -> version -> state; versions ordered numerically. */
  private final Map<String, TreeMap<String, ModelVersion>> models = new ConcurrentHashMap<>();

  public ModelRepository(Path root, OnnxRuntime runtime) {
    this.root = root;
    this.runtime = runtime;
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

  /** Loads every model found on disk; failures are recorded per version, not thrown. */
  public synchronized void loadAll() {
    for (String name : modelNamesOnDisk()) {
      try {
        load(name);
      } catch (RuntimeException e) {
        log.warn("model {} did not load: {}", name, e.getMessage());
      }
    }
  }

  /** (Re)loads every version of {@code name} on disk; the old sessions close after their runs. */
  public synchronized void load(String name) {
    checkName(name);
    Path dir = root.resolve(name);
    List<String> versions = versionsOnDisk(dir);
    if (versions.isEmpty()) {
      throw new UnknownModel("no model '" + name + "' in the repository (expected " + dir + "/<version>/" + MODEL_FILE + ")");
    }
    TreeMap<String, ModelVersion> loaded = new TreeMap<>(VERSION_ORDER);
    List<String> failures = new ArrayList<>();
    for (String version : versions) {
      ModelVersion v = loadVersion(name, version);
      loaded.put(version, v);
      if (!v.ready()) failures.add("version " + version + ": " + v.reason());
    }
    TreeMap<String, ModelVersion> old = models.put(name, loaded);
    closeAll(old);
    if (!failures.isEmpty()) {
      throw new InvalidModel("model '" + name + "' did not load: " + String.join("; ", failures));
    }
    log.info("model {} loaded, versions {}", name, loaded.keySet());
  }

  /** Stops serving {@code name}; in-flight runs finish before its sessions close. */
  public synchronized void unload(String name) {
    checkName(name);
    TreeMap<String, ModelVersion> current = models.get(name);
    if (current == null && versionsOnDisk(root.resolve(name)).isEmpty()) {
      throw new UnknownModel("no model '" + name + "' in the repository");
    }
    TreeMap<String, ModelVersion> unloaded = new TreeMap<>(VERSION_ORDER);
    for (String version : versionsOnDisk(root.resolve(name))) {
      unloaded.put(version, new ModelVersion(name, version, VersionState.UNAVAILABLE, "unloaded", readSha(name, version), null));
    }
    models.put(name, unloaded);
    closeAll(current);
    log.info("model {} unloaded", name);
  }

  /**
   * Moves a fully received upload ({@code staged}, a file under {@link #stagingDir}) into place
   * as {@code name/version} after checking it, and records its sha256. The served models are
   * untouched: the new version serves after {@link #load}.
   */
  public synchronized void place(String name, String version, Path staged, String sha256) {
    checkName(name);
    checkVersion(version);
    Path target = root.resolve(name).resolve(version);
    if (Files.exists(target)) {
      throw new ModelConflict("model '" + name + "' already has a version " + version);
    }
    ModelArtifactCheck.check(staged);
    try (OnnxModel trial = runtime.load(staged)) {
      log.debug("upload of {}/{} loads: {} inputs", name, version, trial.inputs().size());
    } catch (RuntimeException e) {
      throw new InvalidModel("ONNX Runtime cannot load the uploaded model: " + e.getMessage(), e);
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

  /** The version to serve: {@code version}, or the newest ready one when it is empty. */
  public ModelVersion resolve(String name, String version) {
    TreeMap<String, ModelVersion> versions = models.get(name);
    if (versions == null || versions.isEmpty()) {
      throw new UnknownModel("unknown model '" + name + "'");
    }
    if (version == null || version.isEmpty()) {
      return versions.descendingMap().values().stream()
          .filter(ModelVersion::ready)
          .findFirst()
          .orElseThrow(() -> new ModelNotReady("model '" + name + "' has no ready version"));
    }
    ModelVersion v = versions.get(version);
    if (v == null) {
      throw new UnknownModel("model '" + name + "' has no version '" + version + "'");
    }
    if (!v.ready()) {
      throw new ModelNotReady("model '" + name + "' version " + version + " is not ready: " + v.reason());
    }
    return v;
  }

  /** Every version known of {@code name}, in numeric order. */
  public List<ModelVersion> versions(String name) {
    TreeMap<String, ModelVersion> versions = models.get(name);
    if (versions == null) {
      throw new UnknownModel("unknown model '" + name + "'");
    }
    return List.copyOf(versions.values());
  }

  /** Every model version on disk or loaded, for the repository index. */
  public List<ModelVersion> index() {
    List<ModelVersion> all = new ArrayList<>();
    for (String name : modelNamesOnDisk()) {
      TreeMap<String, ModelVersion> known = models.get(name);
      for (String version : versionsOnDisk(root.resolve(name))) {
        ModelVersion v = known == null ? null : known.get(version);
        all.add(v != null ? v
            : new ModelVersion(name, version, VersionState.UNAVAILABLE, "not loaded", readSha(name, version), null));
      }
    }
    return all;
  }

  /** True when every model that was asked to load is loaded. */
  public boolean allReady() {
    return models.values().stream()
        .flatMap(v -> v.values().stream())
        .noneMatch(v -> v.state() == VersionState.LOADING);
  }

  /** The loaded runtime of this replica's model version on this rig, if any. */
  public Optional<PartitionRuntime> find(ReplicaId id) {
    TreeMap<String, ModelVersion> versions = models.get(id.model());
    if (versions == null || id.partition() != 0) return Optional.empty();
    ModelVersion v = versions.get(id.version());
    return v != null && v.ready() ? Optional.of(v.model()) : Optional.empty();
  }

  /**
   * Succeeds when the version is loaded here. The runtime handed out looks the version up on
   * every run: load and unload swap sessions under a replica that stays up.
   */
  @Override
  public CompletionStage<PartitionRuntime> open(ReplicaId id) {
    if (find(id).isEmpty()) {
      return CompletableFuture.failedFuture(new IllegalStateException(id.model() + "@" + id.version()
          + (id.partition() == 0 ? "" : " partition " + id.partition()) + " is not loaded on this rig"));
    }
    PartitionRuntime current = (inputs, outputNames) -> find(id)
        .orElseThrow(() -> new PartitionRuntime.RuntimeFailure(
            id.model() + "@" + id.version() + " is not loaded on this rig", false, null))
        .run(inputs, outputNames);
    return CompletableFuture.completedFuture(current);
  }

  /** Nothing to release: the repository owns the sessions, replicas only use them. */
  @Override
  public void close(ReplicaId id) {}

  @Override
  public synchronized void close() {
    models.values().forEach(ModelRepository::closeAll);
    models.clear();
  }

  private ModelVersion loadVersion(String name, String version) {
    Path file = root.resolve(name).resolve(version).resolve(MODEL_FILE);
    String sha = readSha(name, version);
    try {
      ModelArtifactCheck.check(file);
      OnnxModel model = runtime.load(file);
      return new ModelVersion(name, version, VersionState.READY, "", sha, model);
    } catch (RuntimeException e) {
      return new ModelVersion(name, version, VersionState.UNAVAILABLE, String.valueOf(e.getMessage()), sha, null);
    }
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

  private static void closeAll(TreeMap<String, ModelVersion> versions) {
    if (versions == null) return;
    for (ModelVersion v : versions.values()) {
      if (v.model() != null) v.model().close();
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
