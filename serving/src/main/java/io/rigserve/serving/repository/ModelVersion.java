package io.rigserve.serving.repository;

import io.rigserve.serving.runtime.OnnxModel;
import io.rigserve.serving.runtime.TensorSpec;
import java.util.List;

/**
 * One version of a model as the repository knows it. {@code model} is the loaded session when
 * the state is READY, null otherwise.
 */
public record ModelVersion(
    String name, String version, VersionState state, String reason, String sha256, OnnxModel model) {

  public boolean ready() {
    return state == VersionState.READY;
  }

  public List<TensorSpec> inputs() {
    return model.inputs();
  }

  public List<TensorSpec> outputs() {
    return model.outputs();
  }

  ModelVersion unavailable(String why) {
    return new ModelVersion(name, version, VersionState.UNAVAILABLE, why, sha256, null);
  }
}
