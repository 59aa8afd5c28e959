package io.rigserve.serving.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * ONNX Runtime on this rig: the process's ORT environment and the session options every model is
 * loaded with. Loading is blocking (it reads and optimizes the graph): call it on the blocking
 * dispatcher.
 */
public final class OnnxRuntime {

  // Lets ORT find external data files beside the model when a rewritten copy loads from memory.
  private static final String EXTERNAL_DATA_FOLDER = "session.model_external_initializers_file_folder_path";

  private final OrtEnvironment env;
  private final RuntimeSettings settings;

  public OnnxRuntime(RuntimeSettings settings) {
    this.settings = settings;
    this.env = environment();
  }

  /**
   * The process's ORT environment, created on first use: ORT allows one per process and the first
   * caller fixes its name and log level. Its global thread pools stay unused: each session gets
   * the threads set below. Creating it unpacks and loads ORT's native library (22 MB), so a rig
   * process asks for it early, beside its actor system's start.
   */
  public static OrtEnvironment environment() {
    return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "rigserve");
  }

  /**
   * Loads a model file. The file path (not its bytes) goes to ORT so that external data files
   * beside the model resolve.
   *
   * @throws ModelLoadException with ORT's reason when the model cannot be served
   */
  public OnnxModel load(Path modelFile) {
    Path file = modelFile.toAbsolutePath();
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException("model file " + file + " does not exist or is not a file");
    }
    OrtSession session = createSession(file.toString(), options -> env.createSession(file.toString(), options));
    return open(session, file.toString(), () -> Files.readAllBytes(file), file.getParent());
  }

  /**
   * Loads a model held in memory (built in code, or received whole). External data, if any,
   * would be looked up relative to the working directory.
   *
   * @throws ModelLoadException with ORT's reason when the model cannot be served
   */
  public OnnxModel load(byte[] model) {
    OrtSession session = createSession("in-memory model", options -> env.createSession(model, options));
    return open(session, "in-memory model", () -> model, null);
  }

  private OnnxModel open(OrtSession first, String source, ModelBytes bytes, Path folder) {
    OrtSession session = first;
    try {
      List<TensorSpec> inputs = inputs(session.getInputInfo(), source);
      List<TensorSpec> outputs = outputs(session.getOutputInfo());
      if (outputs.isEmpty()) {
        throw new ModelLoadException(
            source + " has no output tensor of a protocol datatype " + Arrays.toString(DataType.values()));
      }
      Set<String> wideUnsigned = new LinkedHashSet<>();
      for (TensorSpec input : inputs) {
        if (WideUnsignedInputs.needsRewrite(input.datatype())) {
          wideUnsigned.add(input.name());
        }
      }
      if (!wideUnsigned.isEmpty()) {
        session.close();
        session = null;
        byte[] rewritten = WideUnsignedInputs.rewrite(bytes.read(), wideUnsigned);
        session =
            createSession(
                source,
                options -> {
                  if (folder != null) {
                    options.addConfigEntry(EXTERNAL_DATA_FOLDER, folder.toString());
                  }
                  return env.createSession(rewritten, options);
                });
      }
      return new OnnxModel(env, session, inputs, outputs, dimensionNames(session.getInputInfo()));
    } catch (OrtException | IOException | RuntimeException e) {
      closeQuietly(session, e);
      if (e instanceof ModelLoadException m) {
        throw m;
      }
      throw new ModelLoadException("cannot load " + source + ": " + e.getMessage(), e);
    }
  }

  private OrtSession createSession(String source, SessionFactory factory) {
    try (SessionOptions options = sessionOptions()) {
      return factory.create(options);
    } catch (OrtException e) {
      throw new ModelLoadException("cannot load " + source + ": " + e.getMessage(), e);
    }
  }

  private SessionOptions sessionOptions() throws OrtException {
    SessionOptions options = new SessionOptions();
    try {
      options.setIntraOpNumThreads(settings.intraOpThreads());
      options.setInterOpNumThreads(settings.interOpThreads());
      // Inter-op threads only run anything in parallel execution mode.
      options.setExecutionMode(
          settings.interOpThreads() > 1
              ? SessionOptions.ExecutionMode.PARALLEL
              : SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(optLevel(settings.optimizationLevel()));
      // ORT (1.24 on) refuses external data outside the model's folder by itself; nothing here
      // may turn that off. ModelArtifactCheck checks the same and more before any load.
      // Idle ORT worker threads must sleep, not spin on the cores Pekko needs.
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      options.addConfigEntry("session.inter_op.allow_spinning", "0");
      return options;
    } catch (OrtException | RuntimeException e) {
      options.close();
      throw e;
    }
  }

  private static SessionOptions.OptLevel optLevel(String level) {
    return switch (level) {
      case "all" -> SessionOptions.OptLevel.ALL_OPT;
      case "extended" -> SessionOptions.OptLevel.EXTENDED_OPT;
      case "basic" -> SessionOptions.OptLevel.BASIC_OPT;
      case "none" -> SessionOptions.OptLevel.NO_OPT;
      default -> throw new IllegalArgumentException("unknown optimization level " + level);
    };
  }

  // Every input must be servable, or no request could ever run.
  private static List<TensorSpec> inputs(Map<String, NodeInfo> infos, String source) {
    List<TensorSpec> specs = new ArrayList<>();
    for (NodeInfo info : infos.values()) {
      specs.add(
          spec(info)
              .orElseThrow(
                  () ->
                      new ModelLoadException(
                          source + ": input '" + info.getName() + "' is " + describe(info.getInfo())
                              + "; rigserve serves tensors of the protocol datatypes "
                              + Arrays.toString(DataType.values()))));
    }
    return List.copyOf(specs);
  }

  // Outputs the protocol cannot carry (maps, sequences, bfloat16, ...) are left out: the model
  // still serves the others.
  private static List<TensorSpec> outputs(Map<String, NodeInfo> infos) {
    List<TensorSpec> specs = new ArrayList<>();
    for (NodeInfo info : infos.values()) {
      spec(info).ifPresent(specs::add);
    }
    return List.copyOf(specs);
  }

  private static Optional<TensorSpec> spec(NodeInfo info) {
    if (!(info.getInfo() instanceof TensorInfo tensor)) {
      return Optional.empty();
    }
    return OrtTensors.datatypeOf(tensor.onnxType)
        .map(datatype -> new TensorSpec(info.getName(), datatype, dynamicAsMinusOne(tensor.getShape())));
  }

  // Named dynamic dimensions ("batch") of each input: inputs sharing a name must agree on it.
  private static Map<String, String[]> dimensionNames(Map<String, NodeInfo> infos) {
    Map<String, String[]> names = new HashMap<>();
    for (NodeInfo info : infos.values()) {
      if (info.getInfo() instanceof TensorInfo tensor) {
        names.put(info.getName(), tensor.getDimensionNames());
      }
    }
    return names;
  }

  private static long[] dynamicAsMinusOne(long[] shape) {
    long[] dims = shape.clone();
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0) {
        dims[i] = -1;
      }
    }
    return dims;
  }

  private static String describe(ValueInfo info) {
    if (info instanceof TensorInfo tensor) {
      return "a tensor of " + tensor.onnxType.name().replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", "");
    }
    return "not a tensor (" + info + ")";
  }

  private static void closeQuietly(OrtSession session, Exception cause) {
    if (session == null) {
      return;
    }
    try {
      session.close();
    } catch (OrtException e) {
      cause.addSuppressed(e);
    }
  }

  @FunctionalInterface
  private interface SessionFactory {
    OrtSession create(SessionOptions options) throws OrtException;
  }

  @FunctionalInterface
  private interface ModelBytes {
    byte[] read() throws IOException;
  }
}
