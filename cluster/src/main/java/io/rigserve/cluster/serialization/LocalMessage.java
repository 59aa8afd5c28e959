package io.rigserve.cluster.serialization;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;

/**
 * Marker of messages that never leave their rig (actor protocols between a rig's own actors).
 * They are exempt from {@code serialize-messages} checks; anything that may cross the wire is an
 * {@link InternalMessage} instead.
 */
public interface LocalMessage extends NoSerializationVerificationNeeded {}
