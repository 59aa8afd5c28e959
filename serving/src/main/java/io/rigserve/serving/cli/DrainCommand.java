package io.rigserve.serving.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rigserve drain RIG}: asks the cluster to move the rig's replicas elsewhere and waits until
 * the rig reports itself empty. Contract: {@code POST /admin/rigs/{rig}/drain} answers 200 or 202
 * with {@code {"state": "draining"|"empty", ...}}; {@code GET} on the same path reports progress.
 */
@Command(name = "drain", description = {"Move a rig's replicas to other rigs and wait until it is empty "
    + "(POST, then GET, /admin/rigs/RIG/drain).",
    "Each replica's stand-in is ready before the rig lets the replica go; the rig stays a member until stopped."})
final class DrainCommand implements Callable<Integer> {

  @Mixin RigEndpoint rig;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "RIG", description = "The rig's cluster address, e.g. pekko://rigserve@10.0.0.5:7355.")
  String address;

  @Option(names = "--wait", defaultValue = "PT30M", paramLabel = "DURATION",
      description = "Longest wait for the rig to become empty, ISO-8601 (default: ${DEFAULT-VALUE}).")
  Duration wait;

  @Option(names = "--poll", defaultValue = "PT1S", paramLabel = "DURATION",
      description = "Time between progress checks (default: ${DEFAULT-VALUE}).")
  Duration poll;

  @Override
  public Integer call() throws InterruptedException {
    String path = "/admin/rigs/" + RigEndpoint.segment(address) + "/drain";
    PrintWriter out = spec.commandLine().getOut();
    long deadline = System.nanoTime() + wait.toNanos();
    JsonNode state = state(rig.postManagementRaw(path));
    String last = "";
    while (true) {
      String now = state.path("state").asText("");
      if (!rig.json && !now.equals(last)) out.println(address + ": " + now);
      out.flush();
      last = now;
      if (now.equals("empty")) {
        if (rig.json) out.println(state);
        out.flush();
        return 0;
      }
      if (!now.equals("draining")) throw new CommandFailure("the rig reported an unknown drain state: " + state);
      if (System.nanoTime() > deadline) throw new CommandFailure(address + " is still draining after " + wait + ": " + state);
      Thread.sleep(poll.toMillis());
      state = state(rig.getManagementRaw(path));
    }
  }

  private static final String NO_ROUTE = "The requested resource could not be found";

  private JsonNode state(HttpResponse<String> response) {
    int status = response.statusCode();
    // Pekko's "route not found", plain or as the rig's JSON error: the rig has no drain route.
    if (status == 404 && RigEndpoint.jsonError(response).map(e -> e.startsWith(NO_ROUTE)).orElse(true)) {
      throw new CommandFailure("the rig at " + rig.url + " has no drain endpoint (POST /admin/rigs/{rig}/drain): "
          + "it runs a version of rigserve that cannot drain yet");
    }
    if (status != 200 && status != 202) {
      throw new CommandFailure(status + " from " + response.uri() + ": " + RigEndpoint.errorOf(response));
    }
    try {
      return RigEndpoint.JSON.readTree(response.body());
    } catch (IOException e) {
      throw new CommandFailure("the rig answered the drain with something that is not JSON: " + response.body());
    }
  }
}
