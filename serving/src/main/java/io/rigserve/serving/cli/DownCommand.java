package io.rigserve.serving.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rigserve down ADDRESS}: marks a member down (Pekko Management's {@code PUT /cluster/members/{address}}). */
@Command(name = "down", description = {"Mark a cluster member Down (PUT /cluster/members/ADDRESS operation=Down).",
    "For a rig that is gone for good or a side you decided to give up; a downed rig that comes back restarts and rejoins."})
final class DownCommand implements Callable<Integer> {

  @Mixin RigEndpoint rig;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ADDRESS", description = "The member's cluster address, e.g. pekko://rigserve@10.0.0.5:7355.")
  String address;

  @Override
  public Integer call() {
    // Pekko Management matches the address as written in the path, so it is sent unencoded.
    if (!address.matches("[A-Za-z0-9.:/@\\[\\]_-]+")) throw new CommandFailure("not a cluster address: " + address);
    // Asked first: for an unknown member Pekko answers the PUT before reading its body and closes the connection.
    rig.getManagement("/cluster/members/" + address);
    RigEndpoint.Answer answer = rig.putManagementForm("/cluster/members/" + address, Map.of("operation", "Down"));
    PrintWriter out = spec.commandLine().getOut();
    out.println(rig.json ? answer.body() : answer.json().path("message").asText("downing " + address));
    out.flush();
    return 0;
  }
}
