package io.rigserve.cluster.topology;

import io.rigserve.cluster.serialization.InternalMessage;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The actor every rig exposes to the other rigs: it answers RTT pings and tells the rig's
 * identity.
 *
 * <p>It lives at the same path on every rig ({@code /system/rigserve-peer}), so a rig reaches any
 * member from its address alone. Membership already lists every rig with its region, so neither
 * the Receptionist nor Distributed Data is needed: both would add a replicated directory and its
 * gossip delay (seconds) in front of what a member address gives at once.
 */
public final class RigPeer {

  /** Name under {@code /system}; the same on every rig. */
  public static final String NAME = "rigserve-peer";

  public sealed interface Command extends InternalMessage permits Ping, GetIdentity {}

  /** Answered at once with a {@link Pong} carrying the same sequence number. */
  public record Ping(long sequence, ActorRef<Pong> replyTo) implements Command {}

  public record GetIdentity(ActorRef<RigIdentity> replyTo) implements Command {}

  public record Pong(long sequence) implements InternalMessage {}

  private RigPeer() {}

  public static Behavior<Command> create(RigIdentity identity) {
    return Behaviors.receive(Command.class)
        .onMessage(Ping.class, ping -> {
          ping.replyTo().tell(new Pong(ping.sequence()));
          return Behaviors.same();
        })
        .onMessage(GetIdentity.class, get -> {
          get.replyTo().tell(identity);
          return Behaviors.same();
        })
        .build();
  }

  /** The peer actor of the rig at {@code rig} (this rig's own when the address is local). */
  public static ActorRef<Command> at(ActorSystem<?> system, Address rig) {
    return ActorRefResolver.get(system).resolveActorRef(rig + "/system/" + NAME);
  }
}
