package io.rigserve.serving;

import io.rigserve.serving.runtime.OnnxModel;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.serving.runtime.RuntimeSettings;
import io.rigserve.serving.testmodels.TestModels;
import io.rigserve.sharding.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import com.typesafe.config.ConfigFactory;

/**
 * The test models as a rig serves them (name -> ONNX bytes), and the same models loaded
 * directly in ONNX Runtime, so a test can compare a rig's answer with a direct call.
 */
public final class ServedModels {

  public static final String MLP = "mlp";
  public static final String CONV = "conv";
  public static final String TYPES = "types";
  public static final String CAST = "cast";

  public static final Map<String, byte[]> ALL = Map.of(
      MLP, TestModels.twoHeadMlp(),
      CONV, TestModels.convNet(),
      TYPES, TestModels.allDatatypesIdentity(),
      CAST, TestModels.castInt32ToFp64());

  private ServedModels() {}

  /** Writes every test model as version 1 into a Triton-style repository at {@code root}. */
  public static void writeRepository(Path root) throws IOException {
    for (Map.Entry<String, byte[]> e : ALL.entrySet()) {
      Path dir = root.resolve(e.getKey()).resolve("1");
      Files.createDirectories(dir);
      Files.write(dir.resolve("model.onnx"), e.getValue());
    }
  }

  /** What ONNX Runtime answers, called directly, for {@code model} on {@code inputs}. */
  public static Tensor[] direct(String model, Tensor... inputs) {
    try (OnnxModel m = new OnnxRuntime(RuntimeSettings.from(ConfigFactory.load())).load(ALL.get(model))) {
      return m.run(inputs, new String[0]);
    }
  }
}
