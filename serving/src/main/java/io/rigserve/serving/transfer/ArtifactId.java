package io.rigserve.serving.transfer;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** One partition file of one model version: what rigs fetch from each other. */
public record ArtifactId(String model, String version, int partition) {

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  public ArtifactId {
    if (model == null || !SAFE.matcher(model).matches() || version == null || !SAFE.matcher(version).matches()) {
      throw new IllegalArgumentException("invalid artifact model/version: " + model + "/" + version);
    }
    if (partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0");
    }
  }

  /** Where the file lives below a store's root; names are checked, so it cannot escape it. */
  Path relativePath() {
    return Path.of(model, version, "p" + partition + ".onnx");
  }

  /** The path of this artifact on a peer's data plane. */
  public String urlPath() {
    return "/artifacts/" + model + "/" + version + "/" + partition;
  }

  @Override
  public String toString() {
    return model + "@" + version + "/p" + partition;
  }
}
