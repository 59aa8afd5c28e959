package io.rigserve.sharding.drain;

import io.rigserve.cluster.serialization.LocalMessage;
import io.rigserve.sharding.ddata.LocalMapWrite;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;

/**
 * The rigs being drained, cluster-wide: rig address to the uid of the incarnation an operator
 * drained, in one Distributed Data map. Placement gives a draining rig no replicas and moves its
 * own away; the mark names one incarnation, so the same rig started again (after an upgrade, say)
 * takes replicas as before. Written locally and spread by gossip ({@link LocalMapWrite}): a drain
 * must work while another region is dead.
 */
public final class RigDrains implements Extension {

  /** Key of the map in Distributed Data. */
  public static final Key<LWWMap<String, Long>> KEY = LWWMapKey.create("rigserve-drains");

  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);
  private static final Id ID = new Id();

  private final ActorSystem<?> system;
  private volatile Map<String, Long> marks = Map.of();

  private RigDrains(ActorSystem<?> system) {
    this.system = system;
    system.systemActorOf(Behaviors.supervise(follow()).onFailure(SupervisorStrategy.restart()),
        "rigserve-drains", Props.empty());
  }

  public static RigDrains get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** Marks the rig (this incarnation of it) draining; completes once this rig has written it. */
  public CompletionStage<Done> drain(UniqueAddress rig) {
    DistributedData ddata = DistributedData.get(system);
    String address = rig.address().toString();
    long uid = rig.longUid();
    return AskPattern.<Replicator.Command, Replicator.UpdateResponse<LWWMap<String, Long>>>ask(ddata.replicator(),
            replyTo -> LocalMapWrite.update(KEY, ddata.selfUniqueAddress(), replyTo,
                (current, write) -> write.put(address, uid)),
            WRITE_TIMEOUT, system.scheduler())
        .thenApply(response -> {
          if (!(response instanceof Replicator.UpdateSuccess<?>)) {
            throw new IllegalStateException("the drain mark was not written: " + response);
          }
          Map<String, Long> next = new HashMap<>(marks);
          next.put(address, uid);
          marks = Map.copyOf(next); // seen here at once, before the subscription's next notice
          return Done.getInstance();
        });
  }

  /** Whether this incarnation of the rig is draining. */
  public boolean draining(UniqueAddress rig) {
    Long uid = marks.get(rig.address().toString());
    return uid != null && uid == rig.longUid();
  }

  /** Every mark this rig knows: address to drained incarnation (stale marks of rigs gone included). */
  public Map<String, Long> marks() {
    return marks;
  }

  private record Changed(Replicator.SubscribeResponse<LWWMap<String, Long>> response) implements LocalMessage {}

  private Behavior<Changed> follow() {
    return Behaviors.setup(ctx -> {
      new ReplicatorMessageAdapter<Changed, LWWMap<String, Long>>(ctx, DistributedData.get(system).replicator(),
          WRITE_TIMEOUT).subscribe(KEY, Changed::new);
      return Behaviors.receiveMessage(changed -> {
        if (changed.response() instanceof Replicator.Changed<LWWMap<String, Long>> c) {
          marks = Map.copyOf(c.dataValue().getEntries());
        }
        return Behaviors.same();
      });
    });
  }

  static final class Id extends ExtensionId<RigDrains> {
    @Override
    public RigDrains createExtension(ActorSystem<?> system) {
      return new RigDrains(system);
    }
  }
}
