package io.rigserve.cluster.serialization;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fixed Kryo ids of every class allowed on the wire, read from
 * {@code rigserve.serialization.kryo.registrations} ("fully.qualified.Class" = id). Each module
 * registers its own classes in its reference.conf; ids never change once released, so rigs of
 * different builds still understand each other.
 */
public record KryoRegistrations(Map<Integer, Class<?>> byId) {

  /** Kryo reserves the lowest ids for primitives and String. */
  public static final int FIRST_ID = 20;

  public static KryoRegistrations from(Config config, ClassLoader loader) {
    Config section = config.getConfig("rigserve.serialization.kryo.registrations");
    Map<Integer, Class<?>> byId = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : section.root().entrySet()) {
      String className = e.getKey();
      int id = section.root().toConfig().getInt("\"" + className + "\"");
      if (id < FIRST_ID) {
        throw new IllegalArgumentException(
            "rigserve.serialization.kryo.registrations: id " + id + " of " + className + " is below " + FIRST_ID);
      }
      Class<?> previous = byId.put(id, load(className, loader));
      if (previous != null) {
        throw new IllegalArgumentException(
            "rigserve.serialization.kryo.registrations: id " + id + " is given to both "
                + previous.getName() + " and " + className);
      }
    }
    return new KryoRegistrations(Map.copyOf(byId));
  }

  private static Class<?> load(String className, ClassLoader loader) {
    try {
      return Class.forName(className, false, loader);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException(
          "rigserve.serialization.kryo.registrations: no class " + className, e);
    }
  }
}
