package io.rigserve.sharding.ddata;

import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/**
 * An edit of a last-writer-wins map in Distributed Data, written to this rig's replica only and
 * spread by gossip: a majority write would fail while another region is dead, and every map here
 * has one writer per entry (a region's controller, a rig for its replicas), so nothing is lost.
 */
public final class LocalMapWrite<V> {

  /** Decides the puts and removals from the entries the map holds when the update runs. */
  @FunctionalInterface
  public interface Edit<V> {
    void apply(Map<String, V> current, LocalMapWrite<V> write);
  }

  private final SelfUniqueAddress node;
  private LWWMap<String, V> map;

  private LocalMapWrite(SelfUniqueAddress node, LWWMap<String, V> map) {
    this.node = node;
    this.map = map;
  }

  /** The update to send the replicator; {@code replyTo} hears whether it was written. */
  public static <V> Replicator.Update<LWWMap<String, V>> update(
      Key<LWWMap<String, V>> key,
      SelfUniqueAddress node,
      ActorRef<Replicator.UpdateResponse<LWWMap<String, V>>> replyTo,
      Edit<V> edit) {
    return new Replicator.Update<>(key, LWWMap.create(), Replicator.writeLocal(), replyTo, map -> {
      LocalMapWrite<V> write = new LocalMapWrite<>(node, map);
      edit.apply(map.getEntries(), write);
      return write.map;
    });
  }

  public void put(String key, V value) {
    map = map.put(node, key, value);
  }

  public void remove(String key) {
    map = map.remove(node, key);
  }
}
