package io.rigserve.serving.drain;

import io.rigserve.sharding.drain.RigDrains;
import io.rigserve.sharding.replica.ReplicaDirectory;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Draining rigs, as the admin route and a stopping rig ask for it: marks a member draining
 * ({@link RigDrains}; placement then moves its replicas away, make-before-break) and reports how
 * far it got from this rig's replica directory.
 */
public final class RigDrain {

  private final ActorSystem<?> system;
  private final ReplicaDirectory directory;
  private final DrainSettings settings;

  public RigDrain(ActorSystem<?> system, ReplicaDirectory directory, DrainSettings settings) {
    this.system = system;
    this.directory = directory;
    this.settings = settings;
  }

  /** The member at {@code address} (as Pekko writes it), if this rig knows one. */
  public Optional<Member> member(String address) {
    for (Member m : Cluster.get(system).state().getMembers()) {
      if (m.address().toString().equals(address)) return Optional.of(m);
    }
    return Optional.empty();
  }

  /** Marks {@code member} draining; completes with its report once this rig has recorded the mark. */
  public CompletionStage<DrainReport> drain(Member member) {
    return RigDrains.get(system).drain(member.uniqueAddress()).thenApply(done -> report(member));
  }

  public DrainReport report(Member member) {
    return DrainReport.of(member.address().toString(), RigDrains.get(system).draining(member.uniqueAddress()),
        directory.snapshot());
  }

  /**
   * On a stop (SIGTERM, or {@code Rig.stop}), before the rig leaves: drains this rig and waits
   * until it is empty, at most {@code on-stop-timeout}. A rig that is no longer Up (downed, or
   * already leaving) just goes.
   */
  public void drainOnStop() {
    if (!settings.onStop()) return;
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeClusterShutdown(), "rigserve-drain", () -> {
      Member self = Cluster.get(system).selfMember();
      if (self.status() != MemberStatus.up()) return CompletableFuture.completedFuture(Done.getInstance());
      system.log().info("Stopping: draining this rig first (at most {})", settings.onStopTimeout());
      long deadline = System.nanoTime() + settings.onStopTimeout().toNanos();
      return drain(self).thenCompose(report -> untilEmpty(self, deadline))
          .exceptionally(error -> {
            system.log().warn("This rig could not be drained before it leaves: {}", error.getMessage());
            return Done.getInstance();
          });
    });
  }

  private CompletionStage<Done> untilEmpty(Member self, long deadline) {
    DrainReport report = report(self);
    if (report.empty()) {
      system.log().info("This rig is empty: it leaves now");
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    if (!othersCanTakeOver(self)) {
      system.log().warn("No other rig of region {} can take this rig's {} replicas: it leaves without them",
          self.dataCenter(), report.remaining().size());
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    if (System.nanoTime() > deadline) {
      system.log().warn("This rig still holds {} replicas after {}: it leaves anyway", report.remaining().size(),
          settings.onStopTimeout());
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    CompletableFuture<Done> next = new CompletableFuture<>();
    system.scheduler().scheduleOnce(settings.pollInterval(),
        () -> untilEmpty(self, deadline).whenComplete((done, error) -> next.complete(Done.getInstance())),
        system.executionContext());
    return next;
  }

  /** Whether another Up, reachable, not draining rig of this rig's region is there to take its replicas. */
  private boolean othersCanTakeOver(Member self) {
    var state = Cluster.get(system).state();
    RigDrains drains = RigDrains.get(system);
    for (Member m : state.getMembers()) {
      if (!m.equals(self) && m.dataCenter().equals(self.dataCenter()) && m.status() == MemberStatus.up()
          && !state.getUnreachable().contains(m) && !drains.draining(m.uniqueAddress())) {
        return true;
      }
    }
    return false;
  }

  /** The coordinated-shutdown phase that drains must last past the drain's own bound. */
  public static Duration phaseTimeout(DrainSettings settings) {
    return settings.onStopTimeout().plusSeconds(5);
  }
}
