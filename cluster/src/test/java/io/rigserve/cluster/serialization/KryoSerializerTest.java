package io.rigserve.cluster.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class KryoSerializerTest {

  record Ping(String text, long[] values, ActorRef<String> replyTo) implements InternalMessage {}

  record Unregistered(String text) implements InternalMessage {}

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "kryo",
          ConfigFactory.parseString(
                  """
                  pekko.remote.artery.canonical.port = 0
                  rigserve.serialization.kryo.registrations {
                    "io.rigserve.cluster.serialization.KryoSerializerTest$Ping" = 90
                  }
                  """)
              .withFallback(ConfigFactory.load()));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void anInternalMessageWithAnActorRefRoundTripsThroughKryo() throws Exception {
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    TestProbe<String> probe = testKit.createTestProbe();
    Ping ping = new Ping("hello", new long[] {1, -2, 3}, probe.getRef());

    Serializer serializer = serialization.findSerializerFor(ping);
    assertEquals(KryoSerializer.IDENTIFIER, serializer.identifier());
    byte[] bytes = serializer.toBinary(ping);
    Ping back = (Ping) serializer.fromBinary(bytes, Ping.class);

    assertEquals("hello", back.text());
    assertArrayEquals(new long[] {1, -2, 3}, back.values());
    back.replyTo().tell("pong");
    probe.expectMessage("pong");
  }

  @Test
  void aMessageWithoutFixedIdIsRefused() throws Exception {
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    Unregistered message = new Unregistered("x");
    Exception e =
        assertThrows(
            Exception.class, () -> serialization.findSerializerFor(message).toBinary(message));
    assertTrue(e.getMessage().contains("Unregistered"), e.getMessage());
  }

  @Test
  void javaSerializationIsOff() {
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    assertThrows(Exception.class, () -> serialization.serialize(new ArrayList<>(List.of(1))).get());
  }
}
