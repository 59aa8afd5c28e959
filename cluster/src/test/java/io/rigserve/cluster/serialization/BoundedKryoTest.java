package io.rigserve.cluster.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import com.sun.management.ThreadMXBean;
import com.typesafe.config.ConfigFactory;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Random;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bytes another rig sends may declare any length: the serializer refuses what they cannot hold. */
class BoundedKryoTest {

  record Arrays8(byte[] b, short[] s, char[] c, int[] i, long[] l, float[] f, double[] d, boolean[] z,
      String[] strings, String text) implements InternalMessage {}

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "bounded-kryo",
          ConfigFactory.parseString(
                  """
                  pekko.remote.artery.canonical.port = 0
                  rigserve.serialization.kryo.max-declared-bytes = 1 MiB
                  rigserve.serialization.kryo.registrations {
                    "io.rigserve.cluster.serialization.BoundedKryoTest$Arrays8" = 90
                    "java.util.ArrayList" = 91
                    "[Ljava.lang.Object;" = 92
                    "java.util.HashMap" = 93
                    "[S" = 94
                    "[C" = 95
                    "[Z" = 96
                  }
                  """)
              .withFallback(ConfigFactory.load()));

  private static final Serializer serializer =
      SerializationExtension.get(testKit.system().classicSystem()).serializerByIdentity()
          .apply(KryoSerializer.IDENTIFIER);

  /** A Kryo with the same registrations, to write the class headers of hostile messages. */
  private static final Kryo kryo = KryoSerializer.newKryo(
      KryoRegistrations.from(testKit.system().settings().config(), BoundedKryoTest.class.getClassLoader()),
      new ActorRefKryoSerializer(() -> null));

  @BeforeAll
  static void warmUp() throws Exception {
    // The first use builds a pooled Kryo; later allocations are the message's alone.
    serializer.fromBinary(serializer.toBinary(new ArrayList<>(List.of("w"))), Object.class);
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void sixBytesDeclaringALongArrayOf2To28ElementsAreRefusedBeforeAllocating() {
    Output out = new Output(16, -1);
    kryo.writeClass(out, long[].class);
    out.writeVarInt((1 << 28) + 1, true);
    byte[] bytes = out.toBytes();
    assertEquals(6, bytes.length);

    RefusedMessage e = refused(bytes);
    assertTrue(e.getMessage().contains("declared length 268435456"), e.getMessage());
  }

  @Test
  void everyPrimitiveArrayKindRefusesALengthTheMessageCannotHold() {
    for (Class<?> kind : List.of(byte[].class, short[].class, char[].class, int[].class, long[].class,
        float[].class, double[].class, boolean[].class)) {
      Output out = new Output(64, -1);
      kryo.writeClass(out, kind);
      out.writeVarInt(1_001, true); // 1000 elements declared, 100 bytes present
      out.writeBytes(new byte[100]);
      RefusedMessage e = refused(out.toBytes());
      assertTrue(e.getMessage().contains("declared length 1000"), kind + ": " + e.getMessage());
    }
  }

  @Test
  void aStringDeclaringAGigaCharsIsRefused() {
    Output out = new Output(16, -1);
    kryo.writeClass(out, String.class);
    out.writeVarIntFlag(true, (1 << 30) + 1, true); // UTF-8 string of 2^30 chars
    out.writeBytes("abc".getBytes());
    RefusedMessage e = refused(out.toBytes());
    assertTrue(e.getMessage().contains("declared length 1073741824"), e.getMessage());
  }

  @Test
  void aStringArrayAndAnObjectArrayDeclaringMoreElementsThanBytesAreRefused() {
    for (Class<?> kind : List.of(String[].class, Object[].class)) {
      Output out = new Output(16, -1);
      kryo.writeClass(out, kind);
      out.writeVarInt(Integer.MAX_VALUE, true);
      refused(out.toBytes());
    }
  }

  @Test
  void collectionsAndMapsNestedInEachOtherCannotDeclareMoreThanTheyCarry() {
    // A list whose one element is a map declaring 2^29 entries.
    Output out = new Output(32, -1);
    kryo.writeClass(out, ArrayList.class);
    out.writeVarIntFlag(false, 1 + 1, true); // elements of mixed types, one of them
    kryo.writeClass(out, HashMap.class);
    out.writeVarInt((1 << 29) + 1, true);
    refused(out.toBytes());

    Output list = new Output(16, -1);
    kryo.writeClass(list, ArrayList.class);
    list.writeVarIntFlag(false, (1 << 30) + 1, true);
    refused(list.toBytes());
  }

  @Test
  void aLengthTheMessageHoldsButBeyondTheAbsoluteCapIsRefused() {
    Output out = new Output(2 << 20, -1);
    kryo.writeClass(out, byte[].class);
    out.writeVarInt((2 << 20) + 1, true);
    out.writeBytes(new byte[2 << 20]); // 2 MiB present, cap is 1 MiB
    RefusedMessage e = assertThrows(RefusedMessage.class, () -> serializer.fromBinary(out.toBytes(), byte[].class));
    assertTrue(e.getMessage().contains("1048576 bytes"), e.getMessage());
  }

  @Test
  void hostileNestingStopsAtTheDepthCapInsteadOfOverflowingTheStack() {
    Output out = new Output(1 << 16, -1);
    for (int i = 0; i < 20_000; i++) {
      kryo.writeClass(out, Object[].class);
      out.writeVarInt(2, true);
    }
    RefusedMessage e = refused(out.toBytes());
    assertTrue(e.getMessage().contains("depth"), e.getMessage());
  }

  @Test
  void everyRegisteredArrayClassIsReadByABoundedSerializer() {
    for (Class<?> kind : List.of(byte[].class, short[].class, char[].class, int[].class, long[].class, float[].class,
        double[].class, boolean[].class, String[].class, Object[].class)) {
      String serializer = kryo.getSerializer(kind).getClass().getName();
      assertTrue(serializer.startsWith(BoundedArraySerializers.class.getName()), kind + " is read by " + serializer);
    }
    assertTrue(kryo.getSerializer(ArrayList.class) instanceof BoundedCollectionSerializers.AnyCollection);
    assertTrue(kryo.getSerializer(HashMap.class) instanceof BoundedCollectionSerializers.AnyMap);
  }

  @Test
  void everyArrayKindStillRoundTrips() throws Exception {
    Arrays8 m = new Arrays8(new byte[] {1, -1}, new short[] {-2, 3}, new char[] {'x', 'é'}, new int[] {-4, 1 << 30},
        new long[] {Long.MIN_VALUE, 5}, new float[] {1.5f}, new double[] {-2.25}, new boolean[] {true, false},
        new String[] {"a", null, "ü"}, "héllo");
    Arrays8 back = (Arrays8) serializer.fromBinary(serializer.toBinary(m), Arrays8.class);
    assertArrayEquals(m.b(), back.b());
    assertArrayEquals(m.s(), back.s());
    assertArrayEquals(m.c(), back.c());
    assertArrayEquals(m.i(), back.i());
    assertArrayEquals(m.l(), back.l());
    assertArrayEquals(m.f(), back.f());
    assertArrayEquals(m.d(), back.d());
    assertArrayEquals(m.z(), back.z());
    assertArrayEquals(m.strings(), back.strings());
    assertEquals("héllo", back.text());
  }

  @Test
  void everyTruncationOfAValidMessageIsRefusedCleanly() {
    Arrays8 m = new Arrays8(new byte[300], new short[7], new char[] {'é'}, new int[40], new long[300],
        new float[3], new double[3], new boolean[5], new String[] {"zwölf", "x"}, "ünïcode text");
    byte[] bytes = serializer.toBinary(m);
    for (int n = 0; n < bytes.length; n++) {
      byte[] prefix = Arrays.copyOf(bytes, n);
      refused(prefix);
    }
  }

  @Test
  void randomBytesNeverAllocateBeyondWhatTheyCarryNorEscapeAsAnError() throws Exception {
    Random random = new Random(9);
    byte[] valid = serializer.toBinary(new Arrays8(new byte[4], new short[2], new char[1], new int[2], new long[2],
        new float[1], new double[1], new boolean[1], new String[] {"s"}, "t"));
    long start = System.nanoTime();
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes;
      if (i % 2 == 0) {
        bytes = new byte[random.nextInt(64)];
        random.nextBytes(bytes);
        if (bytes.length > 0 && i % 4 == 0) bytes[0] = (byte) (20 + 2 + random.nextInt(80)); // a registered class id
      } else {
        bytes = valid.clone(); // a valid message with a few bytes flipped
        for (int k = 0; k < 1 + random.nextInt(4); k++) bytes[random.nextInt(bytes.length)] = (byte) random.nextInt();
      }
      long before = allocated();
      try {
        serializer.fromBinary(bytes, Object.class);
      } catch (RuntimeException refused) {
        // refused: what must never happen is an Error (out of memory, stack overflow)
      }
      long used = allocated() - before;
      if (used > BUDGET) fail("input " + Arrays.toString(bytes) + " allocated " + used + " bytes");
    }
    assertTrue(System.nanoTime() - start < 20_000_000_000L, "20 000 hostile inputs took over 20 s");
  }

  /**
   * What refusing a message may allocate on the receiving thread: exceptions and first-use costs,
   * never the declared sizes (up to 2 GiB here).
   */
  private static final long BUDGET = 1 << 20;

  /** Asserts a clean refusal that allocated at most {@link #BUDGET} bytes on this thread. */
  private static RefusedMessage refused(byte[] bytes) {
    long budget = BUDGET;
    long before = allocated();
    RefusedMessage e = assertThrows(RefusedMessage.class, (Executable) () -> serializer.fromBinary(bytes, Object.class));
    long used = allocated() - before;
    assertNotNull(e.getMessage());
    assertEquals(0, e.getStackTrace().length, "a refusal a peer can repeat at will carries no stack trace");
    assertTrue(used < budget + 8L * bytes.length, "refusing " + bytes.length + " bytes allocated " + used + " bytes");
    return e;
  }

  private static long allocated() {
    return ((ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getThreadAllocatedBytes(Thread.currentThread().getId());
  }
}
