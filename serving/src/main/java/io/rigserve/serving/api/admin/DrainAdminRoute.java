package io.rigserve.serving.api.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rigserve.cluster.http.JsonErrors;
import io.rigserve.serving.drain.DrainReport;
import io.rigserve.serving.drain.RigDrain;
import io.rigserve.sharding.replica.ReplicaLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /admin/rigs/{rig}/drain} and {@code GET} on the same path, on the management port
 * (admin token): {@code {rig}} is the member's cluster address, URL-encoded. POST marks the rig
 * draining (202, or 200 when it is already empty); both answer the {@link DrainReport} as {@code
 * {"rig", "state": "serving"|"draining"|"empty", "replicas": [...]}}.
 */
public final class DrainAdminRoute extends AllDirectives {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final RigDrain drain;

  public DrainAdminRoute(RigDrain drain) {
    this.drain = drain;
  }

  public Route route() {
    return path(PathMatchers.segment("admin").slash("rigs").slash(PathMatchers.segment()).slash("drain"), address ->
        concat(
            post(() -> withMember(address, member -> {
              if (member.status() != MemberStatus.up() && member.status() != MemberStatus.weaklyUp()) {
                return complete(JsonErrors.response(409, address + " is " + member.status().toString().toLowerCase()
                    + ", not up: only a serving rig can be drained"));
              }
              return completeWithFuture(drain.drain(member).thenApply(report -> answer(report.empty() ? 200 : 202, report)));
            })),
            get(() -> withMember(address, member -> complete(answer(200, drain.report(member)))))));
  }

  private Route withMember(String address, Function<Member, Route> inner) {
    Optional<Member> member = drain.member(address);
    return member.map(inner).orElseGet(() -> complete(JsonErrors.response(404,
        "no member of the cluster has the address " + address + " (write it as pekko://system@host:port)")));
  }

  private static HttpResponse answer(int status, DrainReport report) {
    ObjectNode root = JSON.createObjectNode()
        .put("rig", report.rig())
        .put("state", report.state());
    ArrayNode replicas = root.putArray("replicas");
    for (ReplicaLocation r : report.remaining()) {
      replicas.addObject()
          .put("id", r.id().entityId())
          .put("region", r.region())
          .put("state", r.state().name().toLowerCase());
    }
    try {
      return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
