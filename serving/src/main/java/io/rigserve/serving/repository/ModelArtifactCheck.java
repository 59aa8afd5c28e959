package io.rigserve.serving.repository;

import com.google.protobuf.CodedInputStream;
import io.rigserve.proto.onnx.AttributeProto;
import io.rigserve.proto.onnx.GraphProto;
import io.rigserve.proto.onnx.ModelProto;
import io.rigserve.proto.onnx.NodeProto;
import io.rigserve.proto.onnx.StringStringEntryProto;
import io.rigserve.proto.onnx.TensorProto;
import io.rigserve.serving.error.InvalidModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Checks a model file before it is served: it must parse as an ONNX model with a graph, and any
 * external data it references must lie inside its own folder (a model must not make a rig read
 * arbitrary files such as /etc/shadow as weights).
 */
public final class ModelArtifactCheck {

  private ModelArtifactCheck() {}

  /** @throws InvalidModel with the reason when the file is not a usable ONNX model */
  public static void check(Path modelFile) {
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
    checkGraph(model.getGraph(), modelFile.toAbsolutePath().getParent());
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

  private static void checkGraph(GraphProto graph, Path folder) {
    for (TensorProto t : graph.getInitializerList()) {
      checkTensor(t, folder);
    }
    for (NodeProto node : graph.getNodeList()) {
      for (AttributeProto a : node.getAttributeList()) {
        if (a.hasT()) checkTensor(a.getT(), folder);
        for (TensorProto t : a.getTensorsList()) checkTensor(t, folder);
        if (a.hasG()) checkGraph(a.getG(), folder);
        for (GraphProto g : a.getGraphsList()) checkGraph(g, folder);
      }
    }
  }

  private static void checkTensor(TensorProto tensor, Path folder) {
    if (tensor.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
      return;
    }
    String location = null;
    for (StringStringEntryProto e : tensor.getExternalDataList()) {
      if ("location".equals(e.getKey())) location = e.getValue();
    }
    if (location == null || location.isEmpty()) {
      throw new InvalidModel("tensor '" + tensor.getName() + "' has external data without a location");
    }
    Path resolved;
    try {
      Path relative = Path.of(location);
      if (relative.isAbsolute()) {
        throw new InvalidModel(
            "tensor '" + tensor.getName() + "' references external data at an absolute path: " + location);
      }
      resolved = folder.resolve(relative).normalize();
    } catch (InvalidPathException e) {
      throw new InvalidModel("tensor '" + tensor.getName() + "' has an invalid external data location", e);
    }
    if (!resolved.startsWith(folder)) {
      throw new InvalidModel(
          "tensor '" + tensor.getName() + "' references external data outside the model's folder: " + location);
    }
    if (!Files.isRegularFile(resolved)) {
      throw new InvalidModel(
          "tensor '" + tensor.getName() + "' references external data that is not present: " + location);
    }
  }
}
