package io.rigserve.cluster;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a rig in the cluster across downings. When the cluster downs the rig (its actor system
 * then terminates), a new actor system is built by the owner's {@link Starter}, on the same
 * ports, and rejoins. A rig can be downed while it is cut off; it learns so only when it reaches
 * the others again, and Pekko never lets a downed actor system back in.
 *
 * <pre>
 *   RestartingRig rig = RestartingRig.start(incarnation -> {
 *     ActorSystem&lt;Void&gt; system = ActorSystem.create(guardian, name, config);
 *     RigCluster cluster = RigCluster.start(system, rigSettings, clusterSettings);
 *     if (incarnation == 1) cluster.join(); else cluster.rejoin();
 *     return cluster;
 *   }, clusterSettings.restartDelay());
 * </pre>
 */
public final class RestartingRig {

  /** Builds, starts and joins one actor system of the rig; {@code incarnation} counts from 1. */
  @FunctionalInterface
  public interface Starter {
    RigCluster start(int incarnation) throws Exception;
  }

  private static final Logger log = LoggerFactory.getLogger(RestartingRig.class);
  private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);

  private final Starter starter;
  private final Duration restartDelay;
  private volatile RigCluster current;
  private volatile boolean stopped;

  private RestartingRig(Starter starter, Duration restartDelay) {
    this.starter = starter;
    this.restartDelay = restartDelay;
  }

  /** Starts the first incarnation here and now; a failure to start it is thrown. */
  public static RestartingRig start(Starter starter, Duration restartDelay) throws Exception {
    RestartingRig rig = new RestartingRig(starter, restartDelay);
    rig.adopt(starter.start(1), 1);
    return rig;
  }

  private void adopt(RigCluster cluster, int number) {
    current = cluster;
    cluster.lifecycle().whenDowned().thenRun(() -> {
      if (!stopped) {
        log.warn("Rig {} was downed by the cluster; starting a new actor system to rejoin",
            cluster.system().address());
        restartAfter(restartDelay, number + 1);
      }
    });
  }

  private void restartAfter(Duration delay, int number) {
    Executor later = CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS);
    CompletableFuture.runAsync(() -> {
      if (stopped) return;
      try {
        RigCluster started = starter.start(number);
        if (stopped) {
          started.lifecycle().stop(); // stopped while this one was starting
          return;
        }
        adopt(started, number);
      } catch (Exception e) {
        // Typically the port is not free yet, or the config is being fixed: try again, slower.
        Duration longer = delay.multipliedBy(2).compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : delay.multipliedBy(2);
        log.warn("Restarting the rig failed ({}); next attempt in {} ms", e.toString(), longer.toMillis());
        restartAfter(longer, number);
      }
    }, later);
  }

  /** The actor system running now. */
  public RigCluster current() {
    return current;
  }

  /** No more restarts; stops the current actor system on purpose. */
  public CompletionStage<Done> stop() {
    stopped = true;
    return current.lifecycle().stop();
  }

  /** No more restarts; the current actor system is left as it is (to simulate a crash, say). */
  public void stopRestarting() {
    stopped = true;
    current.lifecycle().stopping();
  }
}
