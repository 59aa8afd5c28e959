package io.rigserve.serving.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rigserve load NAME}: deploys the model's newest version and waits until it is servable. */
@Command(name = "load", description = {"Deploy a model's newest version across the cluster and wait until it serves "
    + "(POST /v2/repository/models/NAME/load on --rest-url)."})
final class LoadCommand implements Callable<Integer> {

  @Mixin RigEndpoint rig;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "Model name.") String name;

  @Option(names = "--partitions", paramLabel = "K|auto",
      description = "Pipeline stages to cut the model into, or 'auto' for the fewest that fit the rigs (default: 1).")
  String partitions;

  @Option(names = "--regions", split = ",", paramLabel = "REGION",
      description = "Regions that serve it, comma-separated (default: every region).")
  String[] regions;

  @Option(names = "--replicas", paramLabel = "N", description = "Replicas of each partition per region (default: the rig's).")
  Integer replicas;

  @Override
  public Integer call() {
    ObjectNode body = RigEndpoint.JSON.createObjectNode();
    ObjectNode parameters = body.putObject("parameters");
    if (partitions != null) {
      if (partitions.matches("[0-9]{1,9}")) parameters.put("partitions", Integer.parseInt(partitions));
      else parameters.put("partitions", partitions);
    }
    if (regions != null) parameters.put("regions", String.join(",", regions));
    if (replicas != null) parameters.put("replicas_per_region", replicas);
    RigEndpoint.Answer answer = rig.postRest("/v2/repository/models/" + RigEndpoint.segment(name) + "/load", body.toString());
    PrintWriter out = spec.commandLine().getOut();
    out.println(rig.json ? answer.body() : "loaded " + name + ": servable (see 'rigserve models' for its replicas)");
    out.flush();
    return 0;
  }
}
