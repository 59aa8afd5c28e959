package io.rigserve.serving.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rigserve status}: this rig and every member as it sees them ({@code GET /admin/cluster}). */
@Command(name = "status", description = "This rig and the cluster's members (GET /admin/cluster).")
final class StatusCommand implements Callable<Integer> {

  @Mixin RigEndpoint rig;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    RigEndpoint.Answer answer = rig.getManagement("/admin/cluster");
    PrintWriter out = spec.commandLine().getOut();
    if (rig.json) {
      out.println(answer.body());
    } else {
      JsonNode c = answer.json();
      out.println("rig " + Table.field(c, "self") + " in " + Table.field(c, "region")
          + (c.path("insecure").asBoolean() ? " (INSECURE: no TLS or admin token)" : ""));
      out.println("regions " + Table.field(c, "regions") + "; unreachable " + Table.field(c, "unreachableRegions"));
      Table t = new Table("ADDRESS", "REGION", "ZONE", "STATUS", "REACHABLE", "RTT_MS", "REPLICAS");
      for (JsonNode m : c.path("members")) {
        t.row(Table.field(m, "address"), Table.field(m, "region"), Table.field(m, "zone"), Table.field(m, "status"),
            m.path("reachable").asBoolean() ? "yes" : "NO",
            Table.field(m, "rttMs") + (m.path("rttIsPrior").asBoolean() ? " (prior)" : ""),
            m.path("hostedReplicas").size());
      }
      t.print(out);
    }
    out.flush();
    return 0;
  }
}
