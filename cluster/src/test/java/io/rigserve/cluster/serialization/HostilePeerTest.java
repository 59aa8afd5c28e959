package io.rigserve.cluster.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.esotericsoftware.kryo.io.Output;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Random;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.JSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A real remote actor system sends hostile Kryo bytes over Artery: the receiving rig drops each
 * message it cannot decode within its declared lengths and keeps the association and itself up.
 */
class HostilePeerTest {

  record Hello(String text, ActorRef<String> replyTo) implements InternalMessage {}

  /** Bytes sent as they are, under the Kryo serializer's id. */
  record Raw(byte[] bytes) implements InternalMessage {}

  /** The attacker's serializer: raw bytes for {@link Raw}, the real Kryo format for the rest. */
  public static final class HostileBytesSerializer extends JSerializer {
    private final KryoSerializer real;

    public HostileBytesSerializer(ExtendedActorSystem system) {
      this.real = new KryoSerializer(system);
    }

    @Override
    public int identifier() {
      return KryoSerializer.IDENTIFIER;
    }

    @Override
    public boolean includeManifest() {
      return false;
    }

    @Override
    public byte[] toBinary(Object o) {
      return o instanceof Raw raw ? raw.bytes() : real.toBinary(o);
    }

    @Override
    public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
      return real.fromBinaryJava(bytes, manifest);
    }
  }

  private static final String REGISTRATIONS = """
      pekko.actor.provider = remote
      pekko.remote.artery.canonical.port = 0
      rigserve.serialization.kryo.registrations {
        "io.rigserve.cluster.serialization.HostilePeerTest$Hello" = 90
      }
      """;

  private static Config config(String extra) {
    return ConfigFactory.parseString(extra + REGISTRATIONS).withFallback(ConfigFactory.load());
  }

  private static final ActorTestKit rig = ActorTestKit.create("rigserve", config(""));
  private static final ActorTestKit attacker = ActorTestKit.create("rigserve", config(
      "pekko.actor.serializers.rigserve-kryo = \"io.rigserve.cluster.serialization.HostilePeerTest$HostileBytesSerializer\"\n"));

  @AfterAll
  static void shutdown() {
    attacker.shutdownTestKit();
    rig.shutdownTestKit();
  }

  @Test
  void hostileBytesFromAPeerAreDroppedAndTheSameAssociationStillCarriesValidMessages() {
    TestProbe<Object> received = rig.createTestProbe();
    ActorRef<Object> greeter = rig.spawn(Behaviors.receive(Object.class)
        .onMessage(Hello.class, hello -> {
          received.getRef().tell(hello.text());
          hello.replyTo().tell("hello back");
          return Behaviors.same();
        })
        .onAnyMessage(other -> {
          received.getRef().tell(other);
          return Behaviors.same();
        })
        .build(), "greeter");
    String path = ActorRefResolver.get(rig.system()).toSerializationFormat(greeter);
    ActorRef<Object> remote = ActorRefResolver.get(attacker.system()).resolveActorRef(path);
    TestProbe<String> replies = attacker.createTestProbe();

    // The association works before the attack.
    remote.tell(new Hello("first", replies.getRef()));
    assertEquals("first", received.receiveMessage(Duration.ofSeconds(10)));
    assertEquals("hello back", replies.receiveMessage(Duration.ofSeconds(10)));

    Output longs = new Output(16, -1);
    longs.writeVarInt(21 + 2, true); // the class id of long[]
    longs.writeVarInt((1 << 28) + 1, true); // 2^28 longs: 2 GiB
    remote.tell(new Raw(longs.toBytes()));
    Output string = new Output(16, -1);
    string.writeVarInt(90 + 2, true); // Hello, whose first field is a string
    string.writeVarIntFlag(true, Integer.MAX_VALUE, true);
    remote.tell(new Raw(string.toBytes()));
    Random random = new Random(5);
    for (int i = 0; i < 200; i++) {
      byte[] bytes = new byte[1 + random.nextInt(40)];
      random.nextBytes(bytes);
      bytes[0] = (byte) (90 + 2); // a Hello, then garbage
      remote.tell(new Raw(bytes));
    }

    remote.tell(new Hello("after", replies.getRef()));
    // Messages on one association arrive in order: everything before "after" was dropped.
    assertEquals("after", received.receiveMessage(Duration.ofSeconds(10)));
    assertEquals("hello back", replies.receiveMessage(Duration.ofSeconds(10)));
  }
}
