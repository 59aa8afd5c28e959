package io.rigserve.cluster.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.MapReferenceResolver;
import com.esotericsoftware.kryo.util.Pool;
import java.util.Map;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.JSerializer;

/**
 * Pekko serializer for every {@link InternalMessage}: Kryo with required registration and the
 * fixed ids of {@link KryoRegistrations}. Kryo instances are not thread-safe, so they are pooled.
 *
 * <p>Received bytes come from other rigs and are not trusted: every declared length (arrays,
 * strings, collections, maps) must fit the bytes left in the message and
 * {@code rigserve.serialization.kryo.max-declared-bytes}, and nesting is capped, so a message is
 * refused ({@link RefusedMessage}) before it can allocate more than it carries. Pekko logs the
 * refusal and drops the message; the association stays up.
 */
public final class KryoSerializer extends JSerializer {

  /** Pekko's serializer id for this serializer; stable across releases. */
  public static final int IDENTIFIER = 73551;

  private static final int ACTOR_REF_ID = 19;
  private static final int POOL_SIZE = 32;
  /** Deeper than any message of the project nests; keeps hostile nesting off the stack's limit. */
  static final int MAX_DEPTH = 32;

  private final Pool<Kryo> kryos;
  private final Pool<Output> outputs;
  private final long maxDeclaredBytes;
  private volatile ActorRefResolver resolver;

  public KryoSerializer(ExtendedActorSystem system) {
    KryoRegistrations registrations =
        KryoRegistrations.from(system.settings().config(), system.dynamicAccess().classLoader());
    this.maxDeclaredBytes = system.settings().config().getBytes("rigserve.serialization.kryo.max-declared-bytes");
    // The resolver is an extension of the typed system: obtained lazily, the system is not
    // fully started when serializers are built.
    ActorRefKryoSerializer refSerializer = new ActorRefKryoSerializer(() -> resolver(system));
    this.kryos =
        new Pool<>(true, false, POOL_SIZE) {
          @Override
          protected Kryo create() {
            return newKryo(registrations, refSerializer);
          }
        };
    this.outputs =
        new Pool<>(true, false, POOL_SIZE) {
          @Override
          protected Output create() {
            return new Output(4096, -1);
          }
        };
  }

  private ActorRefResolver resolver(ExtendedActorSystem system) {
    ActorRefResolver r = resolver;
    if (r == null) {
      r = ActorRefResolver.get(Adapter.toTyped(system));
      resolver = r;
    }
    return r;
  }

  static Kryo newKryo(KryoRegistrations registrations, ActorRefKryoSerializer refSerializer) {
    Kryo kryo = new Kryo(new ActorRefClassResolver(), new MapReferenceResolver());
    kryo.setRegistrationRequired(true);
    kryo.setReferences(false);
    kryo.setMaxDepth(MAX_DEPTH);
    // Before any registration: a registration takes the default serializer of its class.
    BoundedArraySerializers.addTo(kryo);
    BoundedCollectionSerializers.addTo(kryo);
    kryo.register(ActorRef.class, refSerializer, ACTOR_REF_ID);
    for (Map.Entry<Integer, Class<?>> e : registrations.byId().entrySet()) {
      kryo.register(e.getValue(), e.getKey());
    }
    return kryo;
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public boolean includeManifest() {
    return false;
  }

  @Override
  public byte[] toBinary(Object message) {
    Kryo kryo = kryos.obtain();
    Output output = outputs.obtain();
    try {
      output.reset();
      kryo.writeClassAndObject(output, message);
      return output.toBytes();
    } finally {
      if (output.getBuffer().length > 1 << 20) {
        // Do not keep a huge buffer from one large tensor alive in the pool.
        output.setBuffer(new byte[4096], -1);
      }
      outputs.free(output);
      kryos.free(kryo);
    }
  }

  @Override
  public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
    Kryo kryo = kryos.obtain();
    try {
      return kryo.readClassAndObject(new BoundedInput(bytes, maxDeclaredBytes));
    } catch (RuntimeException e) {
      throw new RefusedMessage(bytes.length, e);
    } finally {
      kryos.free(kryo);
    }
  }
}
