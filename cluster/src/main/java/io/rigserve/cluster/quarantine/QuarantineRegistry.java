package io.rigserve.cluster.quarantine;

import io.rigserve.cluster.serialization.LocalMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;

/**
 * The quarantined rigs, cluster-wide, in one Distributed Data map keyed by rig address. A
 * quarantine is written with {@code WriteMajority}: once it succeeds, the decision outlives the
 * rig that made it. When no majority answers (a region lost and not yet downed) the entry is still
 * on this rig and spreads by gossip, as every local write does. Every rig follows the map, so
 * {@link #current()} answers routing without a round trip.
 */
public final class QuarantineRegistry implements Extension {

  public static final Key<LWWMap<String, Quarantine>> KEY = LWWMapKey.create("quarantined-rigs");

  private static final Duration MAJORITY_TIMEOUT = Duration.ofSeconds(3);
  private static final Id ID = new Id();

  private final ActorSystem<?> system;
  private final ActorRef<Replicator.Command> replicator;
  private final SelfUniqueAddress self;
  private volatile Map<String, Quarantine> current = Map.of();
  private final List<Consumer<String>> releaseListeners = new CopyOnWriteArrayList<>();

  private sealed interface Command extends LocalMessage permits Changed {}

  private record Changed(Replicator.SubscribeResponse<LWWMap<String, Quarantine>> response) implements Command {}

  private QuarantineRegistry(ActorSystem<?> system) {
    this.system = system;
    DistributedData ddata = DistributedData.get(system);
    this.replicator = ddata.replicator();
    this.self = ddata.selfUniqueAddress();
    system.systemActorOf(watch(), "rigserve-quarantine-watch", Props.empty());
  }

  public static QuarantineRegistry get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** The quarantined rigs this rig knows of, by address. */
  public Map<String, Quarantine> current() {
    return current;
  }

  public boolean isQuarantined(String rigAddress) {
    return current.containsKey(rigAddress);
  }

  public Optional<Quarantine> of(String rigAddress) {
    return Optional.ofNullable(current.get(rigAddress));
  }

  /** Calls {@code listener} with the address of every rig released from now on (on an actor's thread). */
  public void onRelease(Consumer<String> listener) {
    releaseListeners.add(listener);
  }

  /** Quarantines {@code q.rig()}; completes true once a majority holds it, false when only gossip will spread it. */
  public CompletionStage<Boolean> quarantine(Quarantine q) {
    // Decided once: a second gateway's write could cross an operator's release and bring it back.
    if (current.containsKey(q.rig())) return java.util.concurrent.CompletableFuture.completedFuture(true);
    current = with(current, q);
    return update(map -> map.put(self, q.rig(), q));
  }

  /** Lets the rig serve again; completes true once a majority knows. */
  public CompletionStage<Boolean> release(String rigAddress) {
    return update(map -> map.remove(self, rigAddress));
  }

  private CompletionStage<Boolean> update(java.util.function.Function<LWWMap<String, Quarantine>, LWWMap<String, Quarantine>> edit) {
    return AskPattern.<Replicator.Command, Replicator.UpdateResponse<LWWMap<String, Quarantine>>>ask(replicator,
            replyTo -> new Replicator.Update<>(KEY, LWWMap.create(), new Replicator.WriteMajority(MAJORITY_TIMEOUT),
                replyTo, edit::apply),
            MAJORITY_TIMEOUT.plusSeconds(2), system.scheduler())
        .handle((response, error) -> response instanceof Replicator.UpdateSuccess);
  }

  private static Map<String, Quarantine> with(Map<String, Quarantine> map, Quarantine q) {
    java.util.HashMap<String, Quarantine> next = new java.util.HashMap<>(map);
    next.put(q.rig(), q);
    return Map.copyOf(next);
  }

  private Behavior<Command> watch() {
    return Behaviors.setup(ctx -> {
      new ReplicatorMessageAdapter<Command, LWWMap<String, Quarantine>>(ctx, replicator, Duration.ofSeconds(5))
          .subscribe(KEY, Changed::new);
      return Behaviors.receive(Command.class)
          .onMessage(Changed.class, c -> {
            if (c.response() instanceof Replicator.Changed<LWWMap<String, Quarantine>> changed) {
              Map<String, Quarantine> before = current;
              current = Map.copyOf(changed.get(KEY).getEntries());
              before.keySet().stream().filter(rig -> !current.containsKey(rig))
                  .forEach(rig -> releaseListeners.forEach(l -> l.accept(rig)));
            }
            return Behaviors.same();
          })
          .build();
    });
  }

  static final class Id extends ExtensionId<QuarantineRegistry> {
    @Override
    public QuarantineRegistry createExtension(ActorSystem<?> system) {
      return new QuarantineRegistry(system);
    }
  }
}
