package io.rigserve.sharding.placement;

import io.rigserve.cluster.security.DeployKeys;
import io.rigserve.cluster.security.SecuritySettings;
import io.rigserve.cluster.serialization.LocalMessage;
import io.rigserve.sharding.ddata.LocalMapWrite;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide desired state: every deployed model version ({@link Deployment}, keyed
 * {@code model@version}) in one Distributed Data map. Any rig may publish or remove a deployment;
 * each region's {@link PlacementController} follows the map.
 *
 * <p>Writes are local and spread by gossip (within a gossip interval to reachable rigs). A
 * majority write would be safer against a rig crashing right after the write, but majority
 * counts every rig of every region: while a region is dead and not yet downed, it fails. A
 * deployment change must succeed when a region is lost, so it is written locally.
 *
 * <p>An unload also leaves a {@link Tombstone} in a second map, so that a rig that was away when
 * it happened (and so never saw the removal) does not deploy that version again from its disk.
 * Tombstones older than the placement's {@code tombstone-lifetime} are dropped on the next change.
 *
 * <p>When the rig trusts deploy keys ({@link DeployKeys}), only deployments and tombstones one of
 * them signed count; this rig publishes and withdraws only with its own trusted key.
 */
public final class DeploymentRegistry implements Extension {

  /** Key of the map in Distributed Data. */
  public static final Key<LWWMap<String, Deployment>> KEY = LWWMapKey.create("deployments");

  /** Key of the tombstones of unloaded versions, by {@code model@version}. */
  public static final Key<LWWMap<String, Tombstone>> TOMBSTONES = LWWMapKey.create("unloaded");

  /** Every deployment, sent to a subscriber at once and after every change. */
  public record Deployments(SortedMap<String, Deployment> byKey) implements LocalMessage {
    public Deployments {
      byKey = Collections.unmodifiableSortedMap(new TreeMap<>(byKey));
    }
  }

  private static final Logger log = LoggerFactory.getLogger(DeploymentRegistry.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final Id ID = new Id();

  private final ActorSystem<?> system;
  private final ActorRef<Replicator.Command> replicator;
  private final SelfUniqueAddress self;
  private final AtomicLong subscriptions = new AtomicLong();
  /** Refusals already logged (key, publisher and reason), so that each is logged once. */
  private final Set<String> refused = ConcurrentHashMap.newKeySet();
  private final Duration tombstoneLifetime;
  private final DeployKeys keys;
  /** model@version -> why its deployment is refused now (its signature), to show in the index. */
  private final Map<String, String> refusals = new ConcurrentHashMap<>();

  private DeploymentRegistry(ActorSystem<?> system) {
    this.system = system;
    this.tombstoneLifetime = PlacementSettings.from(system.settings().config()).tombstoneLifetime();
    this.keys = DeployKeys.from(SecuritySettings.from(system.settings().config()));
    DistributedData ddata = DistributedData.get(system);
    this.replicator = ddata.replicator();
    this.self = ddata.selfUniqueAddress();
  }

  public static DeploymentRegistry get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /**
   * The deployments of {@code map} that pass {@link Deployment#validate()} under their own key;
   * any member may publish, so the others are ignored here with a WARN naming who wrote them.
   * When deploy keys are trusted, so is every deployment a trusted key did not sign.
   */
  public SortedMap<String, Deployment> usable(LWWMap<String, Deployment> map) {
    SortedMap<String, Deployment> usable = new TreeMap<>();
    Map<String, String> refusedNow = new TreeMap<>();
    // The writer of each entry is kept only in the map's registers (an internal API of Pekko).
    map.underlying().getEntries().forEach((key, register) -> {
      Deployment d = register.getValue();
      Optional<String> invalid = d == null ? Optional.of("no value")
          : !key.equals(d.key()) ? Optional.of("published under the key of another model")
          : d.validate().or(() -> signatureRefusal(d));
      if (invalid.isEmpty()) {
        usable.put(key, d);
        return;
      }
      if (refusedNow.size() < 10_000) refusedNow.put(key, invalid.get());
      if (refused.size() < 10_000 && refused.add(key + "|" + register.updatedBy() + "|" + invalid.get())) {
        log.warn("ignoring deployment {} published by {}: {}",
            key.length() > 80 ? key.substring(0, 80) + "..." : key, register.updatedBy().address(), invalid.get());
      }
    });
    refusals.keySet().retainAll(refusedNow.keySet());
    refusals.putAll(refusedNow);
    return usable;
  }

  /** Why the deployment {@code model@version} in the map is not used, when it is refused; the index shows it. */
  public Optional<String> refusal(String key) {
    return Optional.ofNullable(refusals.get(key));
  }

  /** {@code d} signed with this rig's deploy key; unchanged when it has none. */
  public Deployment signed(Deployment d) {
    return keys.sign(d.signedContent()).map(s -> d.signed(s.keyId(), s.signature())).orElse(d);
  }

  private Optional<String> signatureRefusal(Deployment d) {
    return keys.refusal(d.signedContent(), d.signedBy(), d.signature()).map(why -> "deployment " + why);
  }

  private Optional<String> signatureRefusal(Tombstone t) {
    return keys.refusal(t.signedContent(), t.signedBy(), t.signature()).map(why -> "withdraw " + why);
  }

  /** Adds or replaces the deployment of {@code deployment.key()}; a tombstone of that version is lifted. */
  public CompletionStage<Done> publish(Deployment deployment) {
    Optional<String> invalid = deployment.validate().or(() -> signatureRefusal(deployment));
    if (invalid.isPresent()) {
      // Every other rig would ignore it: refuse it here, where the caller can be told.
      return CompletableFuture.failedFuture(new IllegalArgumentException("deployment " + deployment + " not published: " + invalid.get()));
    }
    return update(KEY, (current, write) -> write.put(deployment.key(), deployment))
        .thenCompose(done -> update(TOMBSTONES, (current, write) -> current.forEach((key, t) -> {
          if (key.equals(deployment.key()) || !isLive(t)) write.remove(key);
        })));
  }

  /**
   * Removes the deployment {@code model@version}; its replicas stop in every region. Leaves a
   * tombstone, so rigs that come back with the version on their disk keep it unloaded.
   */
  public CompletionStage<Done> remove(String key) {
    Tombstone unsigned = new Tombstone(key, System.currentTimeMillis());
    Tombstone tombstone = keys.sign(unsigned.signedContent()).map(s -> unsigned.signed(s.keyId(), s.signature())).orElse(unsigned);
    Optional<String> refused = signatureRefusal(tombstone);
    if (refused.isPresent()) {
      // Rigs that trust keys would ignore its tombstone: refuse here, where the caller can be told.
      return CompletableFuture.failedFuture(new IllegalArgumentException(key + " not withdrawn: " + refused.get()
          + " (this rig needs a trusted rigserve.security.deploy-key-file)"));
    }
    return update(KEY, (current, write) -> write.remove(key))
        .thenCompose(done -> update(TOMBSTONES, (current, write) -> {
          dropExpired(current, write);
          write.put(key, tombstone);
        }));
  }

  /** How long a tombstone is kept: the longest absence after which a rig may deploy its disk. */
  public Duration tombstoneLifetime() {
    return tombstoneLifetime;
  }

  /** The deployments this rig knows now (what gossip has brought so far). */
  public CompletionStage<SortedMap<String, Deployment>> current() {
    return read(KEY, Replicator.readLocal(), this::usable).thenApply(entries -> entries == null ? Collections.emptySortedMap() : entries);
  }

  /**
   * The deployments a majority of rigs know, for a rig that has just joined and must not act on
   * its own empty view; when no majority answers within {@code timeout} (a region lost and not
   * yet downed), what this rig knows by then.
   */
  public CompletionStage<SortedMap<String, Deployment>> currentFromMajority(Duration timeout) {
    return fromMajority(KEY, timeout, this::usable);
  }

  /** The live tombstones (unloads younger than the lifetime) a majority knows, as {@link #currentFromMajority}. */
  public CompletionStage<SortedMap<String, Tombstone>> tombstonesFromMajority(Duration timeout) {
    return fromMajority(TOMBSTONES, timeout, map -> new TreeMap<>(map.getEntries())).thenApply(all -> {
      Instant now = Instant.now();
      SortedMap<String, Tombstone> live = new TreeMap<>();
      all.forEach((key, t) -> {
        Optional<String> why = signatureRefusal(t);
        if (why.isPresent()) {
          if (refused.size() < 10_000 && refused.add(key + "|tombstone|" + why.get())) {
            log.warn("ignoring the withdraw of {}: {}", key.length() > 80 ? key.substring(0, 80) + "..." : key, why.get());
          }
        } else if (t.liveAt(now, tombstoneLifetime)) {
          live.put(key, t);
        }
      });
      return Collections.unmodifiableSortedMap(live);
    });
  }

  private <V> CompletionStage<SortedMap<String, V>> fromMajority(Key<LWWMap<String, V>> key, Duration timeout,
      Function<LWWMap<String, V>, SortedMap<String, V>> entries) {
    return read(key, new Replicator.ReadMajority(timeout), entries).thenCompose(found -> found != null
        ? CompletableFuture.completedFuture(found)
        : read(key, Replicator.readLocal(), entries).thenApply(local -> local == null ? Collections.<String, V>emptySortedMap() : local));
  }

  /** The map as read at {@code consistency}: empty when it does not exist yet, null when the read failed. */
  private <V> CompletionStage<SortedMap<String, V>> read(Key<LWWMap<String, V>> key, Replicator.ReadConsistency consistency,
      Function<LWWMap<String, V>, SortedMap<String, V>> entries) {
    Duration askTimeout = consistency.timeout().plus(TIMEOUT);
    return AskPattern.<Replicator.Command, Replicator.GetResponse<LWWMap<String, V>>>ask(
            replicator, replyTo -> new Replicator.Get<>(key, consistency, replyTo), askTimeout, system.scheduler())
        .thenApply(response -> {
          if (response instanceof Replicator.GetSuccess<LWWMap<String, V>> success) {
            return Collections.unmodifiableSortedMap(entries.apply(success.get(key)));
          }
          if (response instanceof Replicator.NotFound) return Collections.<String, V>emptySortedMap();
          return null;
        })
        .exceptionally(timedOut -> null);
  }

  /** Removes the tombstones of {@code current} that have outlived their lifetime. */
  private void dropExpired(Map<String, Tombstone> current, LocalMapWrite<Tombstone> write) {
    current.forEach((key, t) -> {
      if (!isLive(t)) write.remove(key);
    });
  }

  private boolean isLive(Tombstone t) {
    return t.liveAt(Instant.now(), tombstoneLifetime);
  }

  /** Sends {@code subscriber} the deployments now and after every change, until it stops. */
  public void subscribe(ActorRef<Deployments> subscriber) {
    system.systemActorOf(DeploymentWatch.create(subscriber::tell, subscriber), watchName(), Props.empty());
  }

  /** Calls {@code listener} (on an actor's thread) with the deployments now and after every change. */
  public Cancellable subscribe(Consumer<SortedMap<String, Deployment>> listener) {
    ActorRef<DeploymentWatch.Command> watch = system.systemActorOf(
        DeploymentWatch.create(d -> listener.accept(d.byKey()), null), watchName(), Props.empty());
    return new Cancellable() {
      private volatile boolean cancelled;

      @Override
      public boolean cancel() {
        boolean first = !cancelled;
        cancelled = true;
        watch.tell(new DeploymentWatch.Stop());
        return first;
      }

      @Override
      public boolean isCancelled() {
        return cancelled;
      }
    };
  }

  private String watchName() {
    return "rigserve-deployment-watch-" + subscriptions.incrementAndGet();
  }

  private <V> CompletionStage<Done> update(Key<LWWMap<String, V>> key, LocalMapWrite.Edit<V> edit) {
    return AskPattern.<Replicator.Command, Replicator.UpdateResponse<LWWMap<String, V>>>ask(
            replicator,
            replyTo -> LocalMapWrite.update(key, self, replyTo, edit),
            TIMEOUT,
            system.scheduler())
        .thenCompose(response -> response instanceof Replicator.UpdateSuccess
            ? CompletableFuture.completedFuture(Done.getInstance())
            : CompletableFuture.failedFuture(new IllegalStateException("deployment not written: " + response)));
  }

  static final class Id extends ExtensionId<DeploymentRegistry> {
    @Override
    public DeploymentRegistry createExtension(ActorSystem<?> system) {
      return new DeploymentRegistry(system);
    }
  }
}
