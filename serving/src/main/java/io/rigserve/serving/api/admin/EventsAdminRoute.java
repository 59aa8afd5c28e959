package io.rigserve.serving.api.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rigserve.sharding.drain.RigDrains;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@code GET /admin/events} on the management port: a server-sent event stream of what changes in
 * the cluster as this rig sees it, for the dashboard and anyone who wants to watch. Each
 * {@code interval} it compares the cluster state with the previous look and sends one {@code
 * member} event per member that appeared, changed status or reachability, or was removed ({@code
 * {"address", "region", "status", "reachable"}}, status {@code Removed} for one gone), a {@code
 * region} event per region that became unreachable or reachable again, a {@code drain} event when
 * the draining rigs change, and a {@code tick} ({@code {"time"}}) so that a watcher refreshes what
 * events do not carry (RTT, replicas, failovers).
 */
public final class EventsAdminRoute extends AllDirectives {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ActorSystem<?> system;
  private final Duration interval;

  public EventsAdminRoute(ActorSystem<?> system, Duration interval) {
    this.system = system;
    this.interval = interval;
  }

  /** What one look at the cluster found. */
  private record Look(Map<String, Map<String, Object>> members, Set<String> unreachableRegions, Set<String> draining) {
    static final Look NOTHING = new Look(Map.of(), Set.of(), Set.of());
  }

  public Route route() {
    return path(PathMatchers.segment("admin").slash("events"), () -> get(() -> {
      Source<ServerSentEvent, NotUsed> events = Source.tick(Duration.ZERO, interval, "look")
          .map(tick -> look())
          .statefulMap(() -> Look.NOTHING,
              (previous, now) -> Pair.create(now, changes(previous, now)),
              last -> Optional.empty())
          .mapConcat(list -> list)
          .mapMaterializedValue(tick -> NotUsed.getInstance());
      return completeOK(events, EventStreamMarshalling.toEventStream());
    }));
  }

  private Look look() {
    ClusterEvent.CurrentClusterState state = Cluster.get(system).state();
    Set<Member> unreachable = state.getUnreachable();
    Map<String, Map<String, Object>> members = new TreeMap<>();
    for (Member m : state.getMembers()) {
      Map<String, Object> member = new LinkedHashMap<>();
      member.put("address", m.address().toString());
      member.put("region", m.dataCenter());
      member.put("status", m.status().toString());
      member.put("reachable", !unreachable.contains(m));
      members.put(m.address().toString(), member);
    }
    Set<String> draining = new TreeSet<>();
    RigDrains drains = RigDrains.get(system);
    for (Member m : state.getMembers()) {
      if (drains.draining(m.uniqueAddress())) draining.add(m.address().toString());
    }
    return new Look(members, new TreeSet<>(state.getUnreachableDataCenters()), draining);
  }

  private static List<ServerSentEvent> changes(Look before, Look now) {
    List<ServerSentEvent> events = new ArrayList<>();
    now.members().forEach((address, member) -> {
      if (!Objects.equals(before.members().get(address), member)) events.add(event("member", member));
    });
    before.members().forEach((address, member) -> {
      if (!now.members().containsKey(address)) {
        Map<String, Object> removed = new LinkedHashMap<>(member);
        removed.put("status", "Removed");
        removed.put("reachable", false);
        events.add(event("member", removed));
      }
    });
    for (String region : now.unreachableRegions()) {
      if (!before.unreachableRegions().contains(region)) events.add(event("region", Map.of("region", region, "reachable", false)));
    }
    for (String region : before.unreachableRegions()) {
      if (!now.unreachableRegions().contains(region)) events.add(event("region", Map.of("region", region, "reachable", true)));
    }
    if (!before.draining().equals(now.draining())) events.add(event("drain", Map.of("draining", now.draining())));
    events.add(event("tick", Map.of("time", Instant.now().toString())));
    return events;
  }

  private static ServerSentEvent event(String type, Object data) {
    try {
      return ServerSentEvent.create(JSON.writeValueAsString(data), type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an event as JSON", e);
    }
  }
}
