package io.rigserve.serving.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rigserve routing}: what this rig's gateway sent where, its breakers and failovers ({@code GET /admin/routing}). */
@Command(name = "routing", description = "This gateway's replica counters, open breakers, partitions and failovers (GET /admin/routing).")
final class RoutingCommand implements Callable<Integer> {

  @Mixin RigEndpoint rig;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    RigEndpoint.Answer answer = rig.getManagement("/admin/routing");
    PrintWriter out = spec.commandLine().getOut();
    if (rig.json) {
      out.println(answer.body());
      out.flush();
      return 0;
    }
    JsonNode r = answer.json();
    Table replicas = new Table("REPLICA", "REGION", "SENT", "SUCCEEDED", "FAILED", "IN_FLIGHT", "EWMA_MS", "BREAKER");
    for (JsonNode s : r.path("replicas")) {
      replicas.row(Table.field(s, "id"), Table.field(s, "region"), Table.field(s, "sent"), Table.field(s, "succeeded"),
          Table.field(s, "failed"), Table.field(s, "inFlight"), Table.field(s, "ewmaMs"),
          s.path("breakerOpen").asBoolean() ? "OPEN" : "closed");
    }
    replicas.print(out);
    out.println();
    Table partitions = new Table("MODEL", "VERSION", "PARTITION", "ATTEMPTS_BY_REGION", "LAST");
    for (JsonNode p : r.path("partitions")) {
      List<String> byRegion = new ArrayList<>();
      p.path("byRegion").fields().forEachRemaining(e -> byRegion.add(e.getKey() + "=" + e.getValue().asText()));
      partitions.row(Table.field(p, "model"), Table.field(p, "version"), Table.field(p, "partition"),
          byRegion.isEmpty() ? "-" : String.join(",", byRegion), Table.field(p, "last"));
    }
    partitions.print(out);
    JsonNode f = r.path("failovers");
    out.println();
    out.println("failovers " + Table.field(f, "total") + ", not replayed " + Table.field(f, "notReplayed"));
    Table failovers = new Table("TIME", "MODEL", "PARTITION", "FROM", "REASON", "TO");
    for (JsonNode e : f.path("recent")) {
      failovers.row(Table.field(e, "time"), Table.field(e, "model") + "@" + Table.field(e, "version"),
          Table.field(e, "partition"), Table.field(e, "from"), Table.field(e, "reason"), Table.field(e, "to"));
    }
    failovers.print(out);
    return 0;
  }
}
