package io.rigserve.serving.routing;

import io.rigserve.cluster.topology.RigView;
import io.rigserve.cluster.topology.RttEstimate;
import io.rigserve.cluster.topology.TopologyView;
import io.rigserve.serving.deploy.ModelCatalog;
import io.rigserve.serving.deploy.TopologyCache;
import io.rigserve.sharding.replica.PartitionReplica;
import io.rigserve.sharding.replica.ReplicaDirectory;
import io.rigserve.sharding.replica.ReplicaLocation;
import io.rigserve.sharding.replica.ReplicaSharding;
import io.rigserve.sharding.replica.StageInput;
import io.rigserve.sharding.replica.StageResult;
import io.rigserve.sharding.tensor.Tensor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.apache.pekko.actor.AddressFromURIString;

/**
 * The replicas of a partition a stage may go to, best first. Candidates are the ready replicas
 * on reachable rigs whose circuit breaker is closed (all of them, when every breaker is open).
 * Replicas in a region that has stopped answering this rig's RTT probes are left out while others
 * remain. Each gets an expected completion time: the measured round trip to its rig plus the stages this
 * gateway has in flight there times its EWMA service time. The first choice is the better of two
 * random replicas of the gateway's own region (power of two choices spreads load without herding);
 * the rest follow by expected time, so failover goes to the next best, in this region or the
 * nearest other. Every stage sent is counted in {@link RoutingStats}.
 */
public final class ShardedStageTargets implements StageTargets {

  private final ReplicaSharding sharding;
  private final ReplicaDirectory directory;
  private final TopologyCache topology;
  private final ModelCatalog catalog;
  private final RoutingStats stats;
  /** Silence (plus a round trip) after which a region counts as lost; see {@link #silentRegion}. */
  private final Duration silentAfter;

  public ShardedStageTargets(ReplicaSharding sharding, ReplicaDirectory directory, TopologyCache topology,
      ModelCatalog catalog, RoutingStats stats, Duration silentAfter) {
    this.silentAfter = silentAfter;
    this.sharding = sharding;
    this.directory = directory;
    this.topology = topology;
    this.catalog = catalog;
    this.stats = stats;
  }

  private record Scored(ReplicaLocation replica, ReplicaStats stats, double rttMillis, double expectedMillis) {}

  @Override
  public List<StageTarget> candidates(String model, String version, int partition) {
    Optional<TopologyView> view = topology.view();
    List<ReplicaLocation> usable = directory.snapshot().ofPartition(model, version, partition).stream()
        .filter(catalog::usable).toList();
    Set<String> silent = usable.stream().map(ReplicaLocation::region).distinct()
        .filter(region -> silentRegion(view, region)).collect(Collectors.toSet());
    if (!silent.isEmpty()) {
      List<ReplicaLocation> heard = usable.stream().filter(r -> !silent.contains(r.region())).toList();
      if (!heard.isEmpty()) usable = heard;
    }
    List<Scored> all = new ArrayList<>(usable.size());
    for (ReplicaLocation r : usable) {
      ReplicaStats s = stats.of(r.region(), r.id());
      double rtt = rttMillis(view, r);
      all.add(new Scored(r, s, rtt, s.expectedMillis(rtt)));
    }
    List<Scored> scored = all.stream()
        .filter(c -> c.stats().available(() -> lastHeard(view, c.replica())))
        .collect(Collectors.toCollection(ArrayList::new));
    if (scored.isEmpty()) scored = all;
    scored.sort(Comparator.comparingDouble(Scored::expectedMillis));
    List<Scored> own = scored.stream().filter(s -> s.replica().region().equals(sharding.ownRegion())).toList();
    List<Scored> ordered = new ArrayList<>(scored);
    if (own.size() >= 2) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      Scored a = own.get(random.nextInt(own.size()));
      Scored b = own.get(random.nextInt(own.size()));
      Scored first = a.expectedMillis() <= b.expectedMillis() ? a : b;
      ordered.remove(first);
      ordered.add(0, first);
    } else if (own.size() == 1) {
      ordered.remove(own.get(0));
      ordered.add(0, own.get(0));
    }
    List<StageTarget> targets = new ArrayList<>(ordered.size());
    // A replica this gateway has not seen answer yet is expected to be as slow as the slowest one it has.
    OptionalDouble partitionEwma = scored.stream().map(Scored::stats).filter(ShardedStageTargets::observed)
        .mapToDouble(ReplicaStats::ewmaMillis).max();
    for (Scored s : ordered) targets.add(target(s.replica(), s.stats(), s.rttMillis(), partitionEwma));
    return targets;
  }

  /**
   * Whether no rig of another region has answered this rig's RTT probes for {@code silentAfter}
   * plus a round trip: a region that died or was cut off, seen seconds before Pekko's
   * cross-region failure detector (with its WAN-sized pause) marks it unreachable.
   */
  private boolean silentRegion(Optional<TopologyView> view, String region) {
    if (region.equals(sharding.ownRegion())) return false;
    return view.flatMap(v -> v.rttToRegion(region).flatMap(e -> e.sinceLastSample().map(age -> {
      Duration sinceView = Duration.between(v.takenAt(), Instant.now());
      Duration limit = silentAfter.plusMillis((long) e.millis());
      return age.plus(sinceView).compareTo(limit) > 0;
    }))).orElse(false);
  }

  /**
   * When the replica's rig last answered an RTT probe from this rig; when this rig does not
   * probe it (a few rigs per remote region are), when any rig of its region last did.
   */
  private static Optional<Instant> lastHeard(Optional<TopologyView> view, ReplicaLocation r) {
    return view.flatMap(v -> {
      Optional<RttEstimate> rig = v.member(AddressFromURIString.parse(r.address())).flatMap(RigView::rtt)
          .filter(e -> e.sinceLastSample().isPresent());
      Optional<RttEstimate> heard = rig.or(() -> v.rttToRegion(r.region()).filter(e -> e.sinceLastSample().isPresent()));
      return heard.map(e -> v.takenAt().minus(e.sinceLastSample().get()));
    });
  }

  /** Round trip to the replica's rig: measured to that rig, else to its region, else the prior. */
  private double rttMillis(Optional<TopologyView> view, ReplicaLocation r) {
    return view
        .flatMap(v -> v.rttTo(AddressFromURIString.parse(r.address())).or(() -> v.rttToRegion(r.region())))
        .map(RttEstimate::millis)
        .orElse(r.region().equals(sharding.ownRegion()) ? 0.0 : 1_000.0);
  }

  /** Observed answers make the wait for a replica short; a floor keeps a slow start from failing over. */
  static final Duration MIN_ATTEMPT = Duration.ofMillis(500);

  /** Answered often enough for its EWMA to bound how long to wait for it. */
  private static boolean observed(ReplicaStats s) {
    return s.succeeded() >= 5;
  }

  private StageTarget target(ReplicaLocation replica, ReplicaStats replicaStats, double rttMillis,
      OptionalDouble partitionEwma) {
    return new StageTarget() {
      @Override
      public String describe() {
        return replica.id() + " in " + replica.region() + " on " + replica.address();
      }

      @Override
      public String region() {
        return replica.region();
      }

      @Override
      public Duration attemptTimeout(Duration ceiling) {
        double ewma;
        if (observed(replicaStats)) ewma = replicaStats.ewmaMillis();
        else if (partitionEwma.isPresent()) ewma = partitionEwma.getAsDouble();
        else return ceiling;
        long millis = (long) (2 * rttMillis + 10 * ewma);
        Duration observed = Duration.ofMillis(Math.max(millis, MIN_ATTEMPT.toMillis()));
        return observed.compareTo(ceiling) < 0 ? observed : ceiling;
      }

      @Override
      public CompletionStage<StageResult> run(StageInput input, Instant attemptDeadline) {
        Duration timeout = Duration.between(Instant.now(), attemptDeadline);
        if (timeout.isNegative() || timeout.isZero()) {
          return CompletableFuture.completedFuture(
              new StageResult.Failed(StageResult.Reason.DEADLINE_EXCEEDED, "no time left for " + describe()));
        }
        long deadline = attemptDeadline.toEpochMilli();
        long started = System.nanoTime();
        replicaStats.started();
        return sharding.refFor(replica.id(), replica.region())
            .<StageResult>ask(replyTo -> new PartitionReplica.Run(input, deadline, replyTo), timeout)
            .thenApply(ShardedStageTargets::verified)
            .whenComplete((result, error) -> {
              if (result instanceof StageResult.Output) {
                // The EWMA is of the replica's own time: the round trip is counted apart, once.
                replicaStats.succeeded(Math.max(0, (System.nanoTime() - started) / 1e6 - rttMillis));
              } else if (result instanceof StageResult.Failed f
                  && (f.reason() == StageResult.Reason.INVALID_INPUT || f.reason() == StageResult.Reason.OVERLOADED)) {
                replicaStats.answered();
              } else {
                stats.failed(replicaStats);
              }
            });
      }
    };
  }

  /**
   * Outputs another rig sent are checked before the next stage or the client gets them: tensors
   * that disagree with their shapes are that replica's failure (its breaker counts it and the
   * stage moves on), not the next replica's nor the client's.
   */
  static StageResult verified(StageResult result) {
    if (!(result instanceof StageResult.Output output)) return result;
    if (output.tensors() == null) return new StageResult.Failed(StageResult.Reason.RUNTIME_ERROR, "the replica answered no tensors");
    for (Tensor t : output.tensors()) {
      String why = t == null ? "a missing tensor" : t.inconsistency().orElse(null);
      if (why != null) return new StageResult.Failed(StageResult.Reason.RUNTIME_ERROR, "the replica answered " + why);
    }
    return result;
  }
}
