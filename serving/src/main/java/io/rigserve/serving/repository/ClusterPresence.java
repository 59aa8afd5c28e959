package io.rigserve.serving.repository;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When this rig was last a working member of its cluster, kept beside its repository: a rig that
 * returns after longer than unloads are remembered cannot tell an unloaded version from one the
 * cluster never had, so it must not deploy its disk on its own say.
 */
public final class ClusterPresence {

  static final String FILE = ".last-in-cluster";
  /** Longest time between two records of cluster presence. */
  private static final Duration MARK_EVERY = Duration.ofMinutes(1);
  private static final Logger log = LoggerFactory.getLogger(ClusterPresence.class);

  private final Path file;

  public ClusterPresence(Path repositoryRoot) {
    this.file = repositoryRoot.resolve(FILE);
  }

  /** The last time {@link #mark} was called on this folder, by this or an earlier run of the rig. */
  public Optional<Instant> last() {
    try {
      if (!Files.isRegularFile(file)) return Optional.empty();
      return Optional.of(Instant.ofEpochMilli(Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).trim())));
    } catch (IOException | NumberFormatException e) {
      log.warn("cannot read {}: {}; taken as never in a cluster", file, e.getMessage());
      return Optional.empty();
    }
  }

  /** True when the rig was in a cluster before and has been away from it longer than {@code limit}. */
  public boolean awayLongerThan(Duration limit, Instant now) {
    return last().map(seen -> Duration.between(seen, now).compareTo(limit) > 0).orElse(false);
  }

  /**
   * Records, now and then on {@code blocking}, that this rig is a working member (Up, and it
   * reaches most of the cluster), so that after a long absence it knows it was away.
   */
  public void keepMarked(ActorSystem<?> system, Duration tombstoneLifetime, Executor blocking) {
    Duration quarter = tombstoneLifetime.dividedBy(4);
    Duration every = quarter.compareTo(MARK_EVERY) < 0 ? quarter : MARK_EVERY;
    Cluster cluster = Cluster.get(system);
    Runnable mark = () -> {
      CurrentClusterState state = cluster.state();
      long members = StreamSupport.stream(state.getMembers().spliterator(), false).count();
      boolean reachesMost = state.getUnreachable().size() * 2L < members
          && state.getUnreachableDataCenters().size() * 2 < state.getAllDataCenters().size();
      if (reachesMost && cluster.selfMember().status() == MemberStatus.up()) mark(Instant.now());
    };
    blocking.execute(mark);
    system.scheduler().scheduleAtFixedRate(every, every, () -> blocking.execute(mark), system.executionContext());
  }

  /** Records that the rig is a working member now (written whole, then moved into place). */
  public void mark(Instant now) {
    try {
      Path next = file.resolveSibling(FILE + ".next");
      Files.writeString(next, Long.toString(now.toEpochMilli()) + "\n", StandardCharsets.UTF_8);
      Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.warn("cannot record cluster presence in {}: {}", file, e.getMessage());
    }
  }
}
