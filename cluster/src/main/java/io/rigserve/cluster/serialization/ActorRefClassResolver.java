package io.rigserve.cluster.serialization;

import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Lets every implementation of the typed ActorRef interface (adapters, ask promises, test
 * probes) share the one registration of {@link ActorRef}, so required registration does not
 * demand a list of Pekko's internal classes.
 */
final class ActorRefClassResolver extends DefaultClassResolver {

  @Override
  public Registration getRegistration(Class type) {
    Registration registration = super.getRegistration(type);
    if (registration == null && type != null && ActorRef.class.isAssignableFrom(type)) {
      return super.getRegistration(ActorRef.class);
    }
    return registration;
  }
}
