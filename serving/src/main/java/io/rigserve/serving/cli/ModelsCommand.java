package io.rigserve.serving.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rigserve models}: deployed model versions and where their replicas are ({@code GET /admin/models}). */
@Command(name = "models", description = "Deployed models, their partitions and replicas per region (GET /admin/models).")
final class ModelsCommand implements Callable<Integer> {

  @Mixin RigEndpoint rig;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    RigEndpoint.Answer answer = rig.getManagement("/admin/models");
    PrintWriter out = spec.commandLine().getOut();
    if (rig.json) {
      out.println(answer.body());
      out.flush();
      return 0;
    }
    JsonNode models = answer.json().path("models");
    Table deployed = new Table("MODEL", "VERSION", "PARTITIONS", "REGIONS", "REPLICAS/REGION", "READY");
    Table replicas = new Table("REPLICA", "REGION", "RIG", "STATE", "REASON");
    for (JsonNode m : models) {
      String regions = Table.field(m, "regions");
      deployed.row(Table.field(m, "name"), Table.field(m, "version"), Table.field(m, "partitions"),
          regions.equals("-") ? "all" : regions, Table.field(m, "replicasPerRegion"),
          m.path("ready").asBoolean() ? "yes" : "NO: " + Table.field(m, "notReady"));
      for (JsonNode r : m.path("replicas")) {
        String reason = Table.field(r, "reason");
        replicas.row(Table.field(r, "id"), Table.field(r, "region"), Table.field(r, "rig"), Table.field(r, "state"),
            reason.isEmpty() ? "-" : reason);
      }
    }
    deployed.print(out);
    out.println();
    replicas.print(out);
    return 0;
  }
}
