package io.rigserve.serving.repository;

import com.google.protobuf.CodedInputStream;
import io.rigserve.proto.onnx.AttributeProto;
import io.rigserve.proto.onnx.FunctionProto;
import io.rigserve.proto.onnx.GraphProto;
import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.proto.onnx.NodeProto;
import io.rigserve.proto.onnx.SparseTensorProto;
import io.rigserve.proto.onnx.StringStringEntryProto;
import io.rigserve.proto.onnx.TensorProto;
import io.rigserve.proto.onnx.TrainingInfoProto;
import io.rigserve.serving.error.InvalidModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a model file before it is served: it must parse as an ONNX model with a graph, and every
 * tensor anywhere in it that keeps its data outside the file (initializers, sparse initializers,
 * attribute tensors, sparse or not, model-local functions, training graphs and every subgraph)
 * must name a regular file inside the model's own folder, also after resolving symbolic links,
 * with offset and length inside that file. A model must not make a rig read arbitrary files such
 * as /etc/shadow as weights, nor dereference ONNX Runtime's in-memory address tags.
 */
public final class ModelArtifactCheck {

  // ONNX Runtime reads "*/_ORT_MEM_ADDR_/*" as a raw pointer; any '*' location is such a tag.
  private static final String MEMORY_ADDRESS_TAG = "_ORT_MEM_ADDR_";
  private static final Pattern DECIMAL = Pattern.compile("[0-9]+");

  private ModelArtifactCheck() {}

  /** @throws InvalidModel with the reason when the file is not a usable ONNX model */
  public static void check(Path modelFile) {
    check(modelFile, realFolder(modelFile));
  }

  /**
   * Like {@link #check}, and no tensor may keep its data outside the file at all: for files that
   * must carry every weight inside (partition files, which share a folder with other models').
   *
   * @throws InvalidModel with the reason when the file is not a usable, self-contained ONNX model
   */
  public static void checkSelfContained(Path modelFile) {
    check(modelFile, null);
  }

  // folder: where external data may lie; null when none may exist.
  private static void check(Path modelFile, Path folder) {
    ModelProto model = parse(modelFile);
    if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
      throw new InvalidModel("not an ONNX model: no graph with nodes in " + modelFile.getFileName());
    }
    if (model.getIrVersion() <= 0 || model.getOpsetImportCount() == 0) {
      throw new InvalidModel("not an ONNX model: missing ir_version or opset_import");
    }
    if (model.getGraph().getOutputCount() == 0) {
      throw new InvalidModel("the model's graph declares no outputs");
    }
    checkGraph(model.getGraph(), folder);
    for (FunctionProto function : model.getFunctionsList()) {
      String where = "function '" + shown(function.getName()) + "'";
      for (AttributeProto a : function.getAttributeProtoList()) {
        checkAttribute(a, folder, where);
      }
      for (NodeProto node : function.getNodeList()) {
        checkNode(node, folder);
      }
    }
    for (TrainingInfoProto training : model.getTrainingInfoList()) {
      if (training.hasInitialization()) checkGraph(training.getInitialization(), folder);
      if (training.hasAlgorithm()) checkGraph(training.getAlgorithm(), folder);
    }
  }

  private static ModelProto parse(Path modelFile) {
    try (InputStream in = Files.newInputStream(modelFile)) {
      CodedInputStream coded = CodedInputStream.newInstance(in);
      coded.setSizeLimit(Integer.MAX_VALUE);
      coded.setRecursionLimit(256);
      ModelProto model = ModelProto.parseFrom(coded);
      coded.checkLastTagWas(0);
      return model;
    } catch (IOException e) {
      throw new InvalidModel("not an ONNX model (corrupt or truncated): " + e.getMessage(), e);
    }
  }

  private static Path realFolder(Path modelFile) {
    try {
      return modelFile.toAbsolutePath().getParent().toRealPath();
    } catch (IOException e) {
      throw new InvalidModel("cannot resolve the folder of " + modelFile.getFileName() + ": " + e.getMessage(), e);
    }
  }

  private static void checkGraph(GraphProto graph, Path folder) {
    String where = "graph '" + shown(graph.getName()) + "'";
    for (TensorProto t : graph.getInitializerList()) {
      checkTensor(t, folder, "initializer '" + shown(t.getName()) + "' of " + where);
    }
    for (SparseTensorProto s : graph.getSparseInitializerList()) {
      checkSparse(s, folder, "sparse initializer of " + where);
    }
    for (NodeProto node : graph.getNodeList()) {
      checkNode(node, folder);
    }
  }

  private static void checkNode(NodeProto node, Path folder) {
    String where = "node '" + shown(node.getName()) + "' (" + shown(node.getOpType()) + ")";
    for (AttributeProto a : node.getAttributeList()) {
      checkAttribute(a, folder, where);
    }
  }

  private static void checkAttribute(AttributeProto a, Path folder, String owner) {
    String where = "attribute '" + shown(a.getName()) + "' of " + owner;
    if (a.hasT()) checkTensor(a.getT(), folder, where);
    for (TensorProto t : a.getTensorsList()) checkTensor(t, folder, where);
    if (a.hasSparseTensor()) checkSparse(a.getSparseTensor(), folder, where);
    for (SparseTensorProto s : a.getSparseTensorsList()) checkSparse(s, folder, where);
    if (a.hasG()) checkGraph(a.getG(), folder);
    for (GraphProto g : a.getGraphsList()) checkGraph(g, folder);
  }

  private static void checkSparse(SparseTensorProto sparse, Path folder, String where) {
    if (sparse.hasValues()) {
      checkTensor(sparse.getValues(), folder, "values '" + shown(sparse.getValues().getName()) + "' of " + where);
    }
    if (sparse.hasIndices()) checkTensor(sparse.getIndices(), folder, "indices of " + where);
  }

  private static void checkTensor(TensorProto tensor, Path folder, String where) {
    // ORT trusts data_location, but any external_data entries at all are checked: they are never
    // needed by an embedded tensor.
    if (tensor.getDataLocation() != TensorProto.DataLocation.EXTERNAL && tensor.getExternalDataCount() == 0) {
      return;
    }
    Map<String, String> entries = new HashMap<>();
    for (StringStringEntryProto e : tensor.getExternalDataList()) {
      if (entries.put(e.getKey(), e.getValue()) != null) {
        throw new InvalidModel("tensor " + where + " names its external data key '" + shown(e.getKey()) + "' twice");
      }
    }
    if (folder == null) {
      throw new InvalidModel("tensor " + where + " keeps its data outside the file, which must carry all its weights");
    }
    String location = entries.get("location");
    if (location == null || location.isEmpty()) {
      throw new InvalidModel("tensor " + where + " has external data without a location");
    }
    if (location.startsWith("*") || location.contains(MEMORY_ADDRESS_TAG)) {
      throw new InvalidModel("tensor " + where + " references a special external data location: " + shown(location));
    }
    Path file = fileInside(folder, location, where);
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new InvalidModel("tensor " + where + " references external data that cannot be read: " + shown(location), e);
    }
    long offset = number(entries, "offset", 0, where);
    long length = number(entries, "length", size - Math.min(offset, size), where);
    if (offset > size || length > size - offset) {
      throw new InvalidModel("tensor " + where + " reads bytes " + offset + "+" + length + " of '" + shown(location)
          + "', which has " + size);
    }
  }

  /** The real path of {@code location} under {@code folder}: relative, inside, a regular file. */
  private static Path fileInside(Path folder, String location, String where) {
    Path relative;
    try {
      relative = Path.of(location);
    } catch (InvalidPathException e) {
      throw new InvalidModel("tensor " + where + " has an invalid external data location", e);
    }
    if (relative.isAbsolute()) {
      throw new InvalidModel("tensor " + where + " references external data at an absolute path: " + shown(location));
    }
    Path resolved = folder.resolve(relative).normalize();
    if (!resolved.startsWith(folder) || resolved.equals(folder)) {
      throw new InvalidModel("tensor " + where + " references external data outside the model's folder: " + shown(location));
    }
    if (!Files.exists(resolved, LinkOption.NOFOLLOW_LINKS)) {
      throw new InvalidModel("tensor " + where + " references external data that is not present: " + shown(location));
    }
    Path real;
    try {
      real = resolved.toRealPath();
    } catch (IOException e) {
      throw new InvalidModel("tensor " + where + " references external data that is not present: " + shown(location), e);
    }
    if (!real.startsWith(folder)) {
      throw new InvalidModel("tensor " + where + " references external data outside the model's folder (through a link): "
          + shown(location));
    }
    if (!Files.isRegularFile(real)) {
      throw new InvalidModel("tensor " + where + " references external data that is not a regular file: " + shown(location));
    }
    return real;
  }

  private static long number(Map<String, String> entries, String key, long absent, String where) {
    String value = entries.get(key);
    if (value == null) {
      return absent;
    }
    if (!DECIMAL.matcher(value).matches()) {
      throw new InvalidModel("tensor " + where + " has an external data " + key + " that is not a non-negative number: "
          + shown(value));
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new InvalidModel("tensor " + where + " has an external data " + key + " beyond any file size: " + shown(value), e);
    }
  }

  // Names from the model are echoed in refusals: a hostile one may be megabytes long.
  private static String shown(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }
}
