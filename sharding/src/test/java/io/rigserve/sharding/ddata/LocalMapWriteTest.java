package io.rigserve.sharding.ddata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.junit.jupiter.api.Test;
import scala.Option;

class LocalMapWriteTest {

  private static final Key<LWWMap<String, String>> KEY = LWWMapKey.create("test-map");
  private static final SelfUniqueAddress NODE =
      new SelfUniqueAddress(new UniqueAddress(new Address("pekko", "test", "127.0.0.1", 25520), 1L));

  @Test
  void theEditSeesTheEntriesHeldWhenTheUpdateRunsAndChangesOnlyWhatItNames() {
    LWWMap<String, String> held = LWWMap.<String, String>create().put(NODE, "a", "1").put(NODE, "b", "2");
    List<Map<String, String>> seen = new ArrayList<>();
    Replicator.Update<LWWMap<String, String>> update = LocalMapWrite.update(KEY, NODE, null, (current, write) -> {
      seen.add(current);
      write.put("c", "3");
      write.remove("a");
    });

    LWWMap<String, String> written = update.modify().apply(Option.apply(held));

    assertEquals(List.of(Map.of("a", "1", "b", "2")), seen);
    assertEquals(Map.of("b", "2", "c", "3"), written.getEntries());
  }

  @Test
  void aMapNotWrittenYetStartsEmpty() {
    Replicator.Update<LWWMap<String, String>> update =
        LocalMapWrite.update(KEY, NODE, null, (current, write) -> current.forEach((k, v) -> write.remove(k)));

    assertEquals(Map.of(), update.modify().apply(Option.empty()).getEntries());
  }

  @Test
  void theWriteIsLocalOnly() {
    Replicator.Update<LWWMap<String, String>> update = LocalMapWrite.update(KEY, NODE, null, (current, write) -> {});
    assertEquals(Replicator.writeLocal(), update.writeConsistency());
  }
}
