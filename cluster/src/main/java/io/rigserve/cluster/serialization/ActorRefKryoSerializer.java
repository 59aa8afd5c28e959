package io.rigserve.cluster.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;

/** Writes a typed ActorRef as its serialization path and resolves it again on the receiving rig. */
final class ActorRefKryoSerializer extends Serializer<ActorRef<?>> {

  private final Supplier<ActorRefResolver> resolver;

  ActorRefKryoSerializer(Supplier<ActorRefResolver> resolver) {
    this.resolver = resolver;
    setImmutable(true);
  }

  @Override
  public void write(Kryo kryo, Output output, ActorRef<?> ref) {
    output.writeString(resolver.get().toSerializationFormat(ref));
  }

  @Override
  public ActorRef<?> read(Kryo kryo, Input input, Class<? extends ActorRef<?>> type) {
    String path = input.readString();
    // Pekko hashes the path through Unsafe: a null one crashes the JVM instead of failing.
    if (path == null) throw new KryoException("an actor reference without a path");
    return resolver.get().resolveActorRef(path);
  }
}
