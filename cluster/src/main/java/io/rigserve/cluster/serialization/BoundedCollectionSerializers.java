package io.rigserve.cluster.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.serializers.MapSerializer;
import java.util.Collection;
import java.util.Map;

/**
 * Collection and map serializers that check a declared size against the bytes left in the
 * message before creating the container (Kryo's create presizes it from the declaration). Each
 * element or entry takes at least one byte.
 */
final class BoundedCollectionSerializers {

  private BoundedCollectionSerializers() {}

  /** Registers them as defaults: call before registering any collection or map class. */
  static void addTo(Kryo kryo) {
    kryo.addDefaultSerializer(Collection.class, AnyCollection.class);
    kryo.addDefaultSerializer(Map.class, AnyMap.class);
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  public static final class AnyCollection extends CollectionSerializer {
    @Override
    protected Collection create(Kryo kryo, Input input, Class type, int size) {
      return super.create(kryo, input, type, BoundedInput.checked(input, size, 1));
    }
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  public static final class AnyMap extends MapSerializer {
    @Override
    protected Map create(Kryo kryo, Input input, Class type, int size) {
      return super.create(kryo, input, type, BoundedInput.checked(input, size, 2));
    }
  }
}
