package io.rigserve.serving.repository;

import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.error.InvalidModel;
import io.rigserve.serving.error.ModelConflict;
import io.rigserve.serving.runtime.ModelLoadException;
import io.rigserve.serving.runtime.TrialLoad;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models on this rig's disk in Triton's layout ({@code <root>/<model>/<version>/model.onnx},
 * with the file's sha256 beside it): uploads are staged, checked and placed here. What it holds is
 * listed once at start and kept in memory as it changes, so that reading it ({@link #index},
 * {@link #versions}) never touches the disk; {@link #rescan} reads a model's folder again (an
 * operator may have copied a version in). Writes are blocking: callers run them off Pekko's
 * dispatchers.
 */
public final class ModelRepository {

  public static final String MODEL_FILE = "model.onnx";
  static final String SHA_FILE = "model.onnx.sha256";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
  private static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");
  private static final Logger log = LoggerFactory.getLogger(ModelRepository.class);
  static final Comparator<String> VERSION_ORDER = Comparator.comparingLong(Long::parseLong);

  private final Path root;
  private final TrialLoad trialLoad;
  /** Model name -> its versions on disk, in version order. Replaced whole per model, read without locks. */
  private final Map<String, List<StoredVersion>> stored = new ConcurrentSkipListMap<>();

  /** Opens the repository at {@code root} (created if missing) and lists what it holds; blocking. */
  public ModelRepository(Path root, TrialLoad trialLoad) {
    this.root = root;
    this.trialLoad = trialLoad;
    try {
      Files.createDirectories(root);
      Folders.deleteQuietly(root.resolve(".staging"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the model repository at " + root, e);
    }
    for (String name : modelNamesOnDisk()) rescan(name);
  }

  public Path root() {
    return root;
  }

  /** Every model version on this rig's disk, by name and version, as last listed (no disk access). */
  public List<StoredVersion> index() {
    List<StoredVersion> all = new ArrayList<>();
    stored.values().forEach(all::addAll);
    return all;
  }

  /** The versions of {@code name} on disk, oldest first, as last listed (no disk access). */
  public List<StoredVersion> versions(String name) {
    checkName(name);
    return stored.getOrDefault(name, List.of());
  }

  /** True when this rig's repository holds {@code name}. */
  public boolean hasModel(String name) {
    return name != null && !stored.getOrDefault(name, List.of()).isEmpty();
  }

  /**
   * Reads the folder of {@code name} again and returns its versions; a version without a recorded
   * sha256 is hashed now and the sum recorded. Blocking.
   */
  public synchronized List<StoredVersion> rescan(String name) {
    checkName(name);
    Path dir = root.resolve(name);
    List<StoredVersion> versions = new ArrayList<>();
    for (String version : versionsOnDisk(dir)) {
      versions.add(new StoredVersion(name, version, dir.resolve(version).resolve(MODEL_FILE), recordedSha(dir.resolve(version))));
    }
    if (versions.isEmpty()) stored.remove(name); else stored.put(name, List.copyOf(versions));
    return versions;
  }

  /**
   * Moves a fully received upload ({@code staged}, a file under {@link #stagingDir}) into place
   * as {@code name/version} after checking it, and records its sha256. The served models are
   * untouched: the new version serves once it is loaded.
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
    // under the lock: a slow trial must not hold up other writes.
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
      Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot place the upload of " + name + "/" + version, e);
    }
    rescan(name);
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
      MessageDigest digest = Sha256.newDigest();
      digest.update(onnx);
      Files.writeString(dir.resolve(SHA_FILE), Sha256.hex(digest) + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir, e);
    }
    rescan(name);
  }

  /** The sha256 recorded in {@code versionDir}; when none is, the model file's, recorded now. */
  private static String recordedSha(Path versionDir) {
    Path shaFile = versionDir.resolve(SHA_FILE);
    try {
      if (Files.isRegularFile(shaFile)) {
        return Files.readString(shaFile, StandardCharsets.UTF_8).trim();
      }
      String sha = Sha256.of(versionDir.resolve(MODEL_FILE));
      Files.writeString(shaFile, sha + "\n", StandardCharsets.UTF_8);
      return sha;
    } catch (IOException e) {
      log.warn("cannot read or record the sha256 of {}: {}", versionDir, e.getMessage());
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

  /** Refuses a model name that is not a plain folder name. */
  public static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidInput("invalid model name '" + name + "': letters, digits, '_', '.', '-', starting with a letter or digit");
    }
  }

  static void checkVersion(String version) {
    if (version == null || !VERSION.matcher(version).matches()) {
      throw new InvalidInput("invalid model version '" + version + "': a non-negative integer");
    }
  }
}
