package io.rigserve.serving.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rigserve regions}: reachability and measured RTT of every region ({@code GET /admin/regions}). */
@Command(name = "regions", description = "Every region with its reachability and RTT from this rig (GET /admin/regions).")
final class RegionsCommand implements Callable<Integer> {

  @Mixin RigEndpoint rig;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    RigEndpoint.Answer answer = rig.getManagement("/admin/regions");
    PrintWriter out = spec.commandLine().getOut();
    if (rig.json) {
      out.println(answer.body());
    } else {
      Table t = new Table("REGION", "LOCAL", "REACHABLE", "MEMBERS", "RTT_MS", "SAMPLES", "AGE_MS");
      for (JsonNode r : answer.json().path("regions")) {
        boolean reachable = r.path("reachable").asBoolean();
        t.row(Table.field(r, "region"), r.path("local").asBoolean() ? "yes" : "",
            reachable ? "yes" : "NO for " + Table.field(r, "unreachableForMs") + " ms",
            Table.field(r, "members"),
            Table.field(r, "rttMs") + (r.path("prior").asBoolean() ? " (prior)" : ""),
            Table.field(r, "samples"), Table.field(r, "ageMs"));
      }
      t.print(out);
    }
    out.flush();
    return 0;
  }
}
