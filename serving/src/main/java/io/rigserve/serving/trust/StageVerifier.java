package io.rigserve.serving.trust;

import io.rigserve.cluster.quarantine.Quarantine;
import io.rigserve.cluster.quarantine.QuarantineRegistry;
import io.rigserve.serving.routing.StageCheck;
import io.rigserve.serving.routing.StageTarget;
import io.rigserve.serving.routing.StageTargets;
import io.rigserve.sharding.replica.ReplicaId;
import io.rigserve.sharding.replica.StageInput;
import io.rigserve.sharding.replica.StageResult;
import io.rigserve.sharding.tensor.Tensor;
import io.rigserve.cluster.topology.RigView;
import io.rigserve.cluster.topology.TopologyCache;
import java.time.Instant;
import java.util.Random;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's check of other rigs' answers. A sampled stage run (rate from the {@link
 * SamplingPolicy}) is re-run with the same input on a replica of another owner, after the answer
 * went on: off the request's path, at most {@code max-checks-in-flight} at once (beyond, checks
 * are dropped and counted, never queued without bound). A model sampled at rate 1.0 is verified
 * before answering: the output waits until another owner agrees. Outputs that disagree go to a
 * third owner's replica; the one it disagrees with is struck, and a rig whose strikes reach the
 * threshold is quarantined cluster-wide. Only outputs are compared: a stage that failed (invalid
 * input, deadline, cancellation) is never a check, so nothing a client does counts against a rig.
 */
public final class StageVerifier implements StageCheck {

  private static final Logger log = LoggerFactory.getLogger(StageVerifier.class);

  private final TrustSettings settings;
  private final SamplingPolicy sampling;
  private final TrustLedger ledger;
  private final StageTargets checkers;
  private final Function<String, String> ownerOf;
  private final QuarantineRegistry quarantine;
  private final String self;
  private final RandomGenerator random;
  private final String ownRegion;
  private final Semaphore inFlight;

  /**
   * @param checkers the replicas of a partition, best first, whose answers are not checked again
   * @param ownerOf the owner of the rig at an address
   * @param self this gateway's address, named in the quarantines it decides
   * @param ownRegion this gateway's region, where checks go when another owner serves there
   */
  public StageVerifier(TrustSettings settings, TrustLedger ledger, StageTargets checkers,
      Function<String, String> ownerOf, QuarantineRegistry quarantine, String self, String ownRegion,
      RandomGenerator random) {
    this.ownRegion = ownRegion;
    this.settings = settings;
    this.sampling = new SamplingPolicy(settings);
    this.ledger = ledger;
    this.checkers = checkers;
    this.ownerOf = ownerOf;
    this.quarantine = quarantine;
    this.self = self;
    this.random = random;
    this.inFlight = new Semaphore(settings.maxChecksInFlight());
    // A released rig starts over, on probation, on every gateway, not just the one that decided.
    quarantine.onRelease(ledger::released);
  }

  /** The verifier of this rig's gateway: settings from {@code rigserve.trust}, owners from the topology view. */
  public static StageVerifier of(ActorSystem<?> system, TrustSettings settings, StageTargets checkers, TopologyCache topology) {
    Function<String, String> ownerOf = address -> owner(topology, address);
    return new StageVerifier(settings, new TrustLedger(settings.agreementsPerStrike()), checkers, ownerOf,
        QuarantineRegistry.get(system), Cluster.get(system).selfMember().address().toString(),
        Cluster.get(system).selfMember().dataCenter(), new Random());
  }

  /** The owner the rig at {@code address} announced; a rig not (yet) in the view counts as its own owner. */
  static String owner(TopologyCache topology, String address) {
    try {
      Address parsed = AddressFromURIString.parse(address);
      return topology.view().flatMap(v -> v.member(parsed)).map(RigView::ownerOrAddress).orElse(address);
    } catch (RuntimeException e) {
      return address;
    }
  }

  public TrustLedger ledger() {
    return ledger;
  }

  /** What the checks found, for {@code /admin/routing}. */
  public TrustReport report() {
    return TrustReport.of(ledger, quarantine.current(), ownerOf);
  }

  @Override
  public CompletionStage<StageResult> answered(ReplicaId replica, String rig, StageInput input, StageResult.Output output) {
    TrustLedger.RigTrust before = ledger.ran(rig);
    if (sampling.beforeAnswering(replica.model())) {
      return check(replica, rig, input, output, 0).thenApply(verdict -> verdict.answer(output));
    }
    double rate = sampling.rate(replica.model(), before.runs(), before.strikes());
    if (rate <= 0 || !draw(rate)) return CompletableFuture.completedFuture(output);
    if (!inFlight.tryAcquire()) {
      ledger.dropped();
      return CompletableFuture.completedFuture(output);
    }
    try {
      check(replica, rig, input, output, rate).whenComplete((verdict, error) -> {
        inFlight.release();
        if (error != null) log.warn("Check of {} on {} failed: {}", replica, rig, error.toString());
      });
    } catch (RuntimeException e) {
      inFlight.release();
      log.warn("Check of {} on {} not started: {}", replica, rig, e.toString());
    }
    return CompletableFuture.completedFuture(output);
  }

  private boolean draw(double rate) {
    synchronized (random) {
      return random.nextDouble() < rate;
    }
  }

  /** How one check ended; {@code answer} is what a verified-before-answering stage goes on with. */
  private record Verdict(StageResult replacement) {
    static final Verdict STANDS = new Verdict(null);

    StageResult answer(StageResult.Output served) {
      return replacement == null ? served : replacement;
    }
  }

  /**
   * Re-runs the stage on another owner's replica and, on a mismatch, on a third owner's.
   *
   * @param servedAtRate the sampling rate when the client already has the answer; 0 when it waits for the check
   */
  private CompletionStage<Verdict> check(ReplicaId replica, String rig, StageInput input, StageResult.Output served,
      double servedAtRate) {
    String owner = ownerOf.apply(rig);
    Optional<StageTarget> checker = other(replica, Set.of(owner));
    if (checker.isEmpty()) {
      ledger.unverifiable();
      return CompletableFuture.completedFuture(Verdict.STANDS);
    }
    String checkerRig = checker.get().rig().orElseThrow();
    Tolerance tolerance = settings.tolerance(replica.model());
    return run(checker.get(), input).thenCompose(checked -> {
      if (checked.isEmpty()) return CompletableFuture.completedFuture(Verdict.STANDS); // the checker failed: no verdict
      Optional<String> difference = OutputComparison.difference(served.tensors(), checked.get(), tolerance);
      if (difference.isEmpty()) {
        ledger.checkAgreed(rig, checkerRig);
        return CompletableFuture.completedFuture(Verdict.STANDS);
      }
      return arbitrate(replica, rig, owner, checkerRig, input, served, checked.get(), difference.get(), tolerance,
          servedAtRate);
    });
  }

  private CompletionStage<Verdict> arbitrate(ReplicaId replica, String rig, String owner, String checkerRig,
      StageInput input, StageResult.Output served, Tensor[] checked, String difference, Tolerance tolerance,
      double servedAtRate) {
    String checkerOwner = ownerOf.apply(checkerRig);
    Optional<StageTarget> arbiter = other(replica, Set.of(owner, checkerOwner));
    TrustLedger.Unsettled unsettled = new TrustLedger.Unsettled(System.currentTimeMillis(), replica.entityId(), rig,
        checkerRig, difference);
    StageResult.Failed undecided = new StageResult.Failed(StageResult.Reason.RUNTIME_ERROR,
        "replicas of " + replica.entityId() + " by two owners disagree and no third owner settled it");
    if (arbiter.isEmpty()) {
      ledger.unsettled(unsettled);
      log.warn("Unsettled disagreement on {} between {} and {}: {}", replica, rig, checkerRig, difference);
      return CompletableFuture.completedFuture(servedAtRate > 0 ? Verdict.STANDS : new Verdict(undecided));
    }
    String arbiterRig = arbiter.get().rig().orElseThrow();
    return run(arbiter.get(), input).thenApply(arbitrated -> {
      if (arbitrated.isEmpty()) {
        ledger.unsettled(unsettled);
        return servedAtRate > 0 ? Verdict.STANDS : new Verdict(undecided);
      }
      boolean withServed = OutputComparison.difference(arbitrated.get(), served.tensors(), tolerance).isEmpty();
      boolean withChecker = OutputComparison.difference(arbitrated.get(), checked, tolerance).isEmpty();
      switch (Blame.of(withServed, withChecker)) {
        case SERVED -> {
          ledger.agreed(checkerRig);
          ledger.agreed(arbiterRig);
          strike(replica, rig, owner, servedAtRate, difference);
          return new Verdict(new StageResult.Output(checked));
        }
        case CHECKER -> {
          ledger.agreed(rig);
          ledger.agreed(arbiterRig);
          strike(replica, checkerRig, checkerOwner, 0, difference);
          return Verdict.STANDS;
        }
        default -> {
          ledger.unsettled(unsettled);
          return servedAtRate > 0 ? Verdict.STANDS : new Verdict(undecided);
        }
      }
    });
  }

  private void strike(ReplicaId replica, String rig, String owner, double servedAtRate, String difference) {
    double strikes = ledger.struck(rig, servedAtRate);
    log.warn("Rig {} (owner {}) struck on {}: two other owners agree against it ({}); {} strikes", rig, owner,
        replica, difference, String.format("%.2f", strikes));
    if (strikes >= settings.strikeThreshold() && ledger.quarantined(rig)) {
      TrustLedger.RigTrust trust = ledger.of(rig);
      Quarantine q = new Quarantine(rig, owner, String.format(
          "%d arbitrations lost (strikes %.2f, threshold %.2f); last on %s: %s", trust.disagreementsLost(), strikes,
          settings.strikeThreshold(), replica.entityId(), difference), System.currentTimeMillis(), self,
          trust.wrongAnswersFound(), trust.wrongAnswersEstimated());
      log.warn("Rig {} (owner {}) quarantined: {}", rig, owner, q.reason());
      quarantine.quarantine(q).thenAccept(majority -> {
        if (!majority) log.warn("Quarantine of {} is on this rig only until gossip spreads it (no majority answered)", rig);
      });
    }
  }

  /**
   * A replica of the partition on a rig whose owner is none of {@code owners}, drawn at random among
   * those of this gateway's region when it has any, else of the nearest region that has (candidates
   * come nearest first): the checks stay off the WAN where they can, spread over every other owner
   * there, and no rig can stay out of them by looking slow.
   */
  private Optional<StageTarget> other(ReplicaId replica, Set<String> owners) {
    List<StageTarget> others = checkers.candidates(replica.model(), replica.version(), replica.partition()).stream()
        .filter(t -> t.rig().isPresent() && !owners.contains(ownerOf.apply(t.rig().get())))
        .toList();
    if (others.isEmpty()) return Optional.empty();
    String nearest = others.stream().anyMatch(t -> t.region().equals(ownRegion)) ? ownRegion : others.get(0).region();
    List<StageTarget> near = others.stream().filter(t -> t.region().equals(nearest)).toList();
    synchronized (random) {
      return Optional.of(near.get(random.nextInt(near.size())));
    }
  }

  /** The outputs of one check run; empty when it did not produce any (a failure is no evidence either way). */
  private CompletionStage<Optional<Tensor[]>> run(StageTarget target, StageInput input) {
    ledger.checkRan();
    Instant deadline = Instant.now().plus(settings.checkTimeout());
    CompletionStage<StageResult> result;
    try {
      result = target.run(input, deadline);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return result.handle((r, error) -> r instanceof StageResult.Output o && o.tensors() != null
        ? Optional.of(o.tensors()) : Optional.<Tensor[]>empty());
  }
}
