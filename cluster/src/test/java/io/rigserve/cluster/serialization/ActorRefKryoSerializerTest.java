package io.rigserve.cluster.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Actor references as a peer may send them: the path is the peer's to choose, even a null one. */
class ActorRefKryoSerializerTest {

  record Ask(long sequence, ActorRef<String> replyTo) implements InternalMessage {}

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "kryo-refs",
          ConfigFactory.parseString(
                  """
                  pekko.remote.artery.canonical.port = 0
                  rigserve.serialization.kryo.registrations {
                    "io.rigserve.cluster.serialization.ActorRefKryoSerializerTest$Ask" = 91
                  }
                  """)
              .withFallback(ConfigFactory.load()));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void aReferenceWithANullPathIsRefusedInsteadOfCrashingTheJvm() throws Exception {
    Serializer serializer = SerializationExtension.get(testKit.system().classicSystem()).serializerFor(Ask.class);
    TestProbe<String> probe = testKit.createTestProbe();
    byte[] bytes = serializer.toBinary(new Ask(7, probe.getRef()));
    String path = ActorRefResolver.get(testKit.system()).toSerializationFormat(probe.getRef());
    // Kryo writes a path this long as a length (one flag bit, 6 then 7 bits a byte) and its
    // UTF-8 bytes: replace both with Kryo's null-string marker.
    int n = path.length() + 1;
    int prefix = n < 1 << 6 ? 1 : n < 1 << 13 ? 2 : 3;
    int at = indexOf(bytes, path.getBytes(StandardCharsets.UTF_8)) - prefix;
    assertTrue(path.length() > 32 && at >= 0, "the path is in the bytes: " + path);
    int end = at + prefix + path.length();
    byte[] nullPath = new byte[bytes.length - (end - at) + 1];
    System.arraycopy(bytes, 0, nullPath, 0, at);
    nullPath[at] = (byte) 0x80;
    System.arraycopy(bytes, end, nullPath, at + 1, bytes.length - end);

    Exception e = assertThrows(Exception.class, () -> serializer.fromBinary(nullPath, Ask.class));
    assertTrue(String.valueOf(e.getMessage()).contains("without a path"), String.valueOf(e.getMessage()));
    Ask back = (Ask) serializer.fromBinary(bytes, Ask.class);
    assertEquals(7, back.sequence());
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) return i;
    }
    return -1;
  }
}
