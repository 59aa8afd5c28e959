package io.rigserve.serving.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rigserve upload NAME VERSION FILE}: puts an ONNX model into the repository, not yet loaded. */
@Command(name = "upload", description = {"Upload an ONNX model as a new version (PUT /v2/repository/models/NAME/versions/VERSION on --rest-url).",
    "The rig checks and trial-loads it; it serves it only after 'rigserve load'."})
final class UploadCommand implements Callable<Integer> {

  @Mixin RigEndpoint rig;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "Model name.") String name;
  @Parameters(index = "1", paramLabel = "VERSION", description = "New version (a positive integer).") String version;
  @Parameters(index = "2", paramLabel = "FILE", description = "The .onnx file.") Path file;

  @Override
  public Integer call() {
    if (!Files.isRegularFile(file)) throw new CommandFailure("cannot read " + file + ": not a file");
    RigEndpoint.Answer answer = rig.putRestFile(
        "/v2/repository/models/" + RigEndpoint.segment(name) + "/versions/" + RigEndpoint.segment(version), file);
    PrintWriter out = spec.commandLine().getOut();
    if (rig.json) {
      out.println(answer.body());
    } else {
      JsonNode r = answer.json();
      out.println("uploaded " + Table.field(r, "name") + " version " + Table.field(r, "version") + ": "
          + Table.field(r, "bytes") + " bytes, sha256 " + Table.field(r, "sha256"));
    }
    out.flush();
    return 0;
  }
}
