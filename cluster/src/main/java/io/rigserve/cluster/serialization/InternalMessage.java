package io.rigserve.cluster.serialization;

/**
 * Marker of every message that may cross the wire between rigs. Bound to {@link KryoSerializer}
 * in reference.conf, so each such class needs a fixed id under
 * {@code rigserve.serialization.kryo.registrations}.
 */
public interface InternalMessage {}
