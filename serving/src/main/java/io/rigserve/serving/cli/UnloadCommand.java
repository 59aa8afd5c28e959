package io.rigserve.serving.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rigserve unload NAME}: takes the model out of service cluster-wide; its files stay in the repository. */
@Command(name = "unload", description = "Stop serving a model cluster-wide and wait until its replicas are gone "
    + "(POST /v2/repository/models/NAME/unload on --rest-url).")
final class UnloadCommand implements Callable<Integer> {

  @Mixin RigEndpoint rig;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "Model name.") String name;

  @Override
  public Integer call() {
    RigEndpoint.Answer answer = rig.postRest("/v2/repository/models/" + RigEndpoint.segment(name) + "/unload", "");
    PrintWriter out = spec.commandLine().getOut();
    out.println(rig.json ? answer.body() : "unloaded " + name);
    out.flush();
    return 0;
  }
}
