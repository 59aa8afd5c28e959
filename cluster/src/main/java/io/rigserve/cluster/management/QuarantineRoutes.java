package io.rigserve.cluster.management;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.rigserve.cluster.http.JsonErrors;
import io.rigserve.cluster.quarantine.QuarantineRegistry;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /admin/rigs/{rig}/release}: lets a quarantined rig serve again. {@code rig} is its
 * address ({@code pekko://rigserve@host:port}, URL-encoded) or just {@code host:port}. Behind the
 * admin token like every route of the management port.
 */
final class QuarantineRoutes {

  private QuarantineRoutes() {}

  static Route create(ActorSystem<?> system) {
    QuarantineRegistry registry = QuarantineRegistry.get(system);
    return pathPrefix("admin", () -> pathPrefix("rigs", () -> pathPrefix(segment(), rig ->
        path("release", () -> post(() -> release(registry, rig))))));
  }

  private static Route release(QuarantineRegistry registry, String rig) {
    Optional<String> address = find(registry, rig);
    if (address.isEmpty()) return complete(JsonErrors.response(404, "rig " + rig + " is not quarantined"));
    return completeWithFuture(registry.release(address.get()).thenApply(majority ->
        AdminRoutes.json(Map.of("released", address.get(), "majority", majority))));
  }

  /** The quarantined address {@code rig} names, as a full address or as host:port. */
  private static Optional<String> find(QuarantineRegistry registry, String rig) {
    return registry.current().keySet().stream()
        .filter(address -> address.equals(rig) || address.endsWith("@" + rig))
        .findFirst();
  }
}
