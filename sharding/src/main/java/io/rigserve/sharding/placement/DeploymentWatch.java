package io.rigserve.sharding.placement;

import io.rigserve.cluster.serialization.LocalMessage;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;

/** Follows the deployment map for one subscriber of {@link DeploymentRegistry}. */
final class DeploymentWatch {

  sealed interface Command extends LocalMessage permits Changed, Stop, SubscriberGone {}

  record Changed(Replicator.SubscribeResponse<LWWMap<String, Deployment>> response) implements Command {}

  record Stop() implements Command {}

  record SubscriberGone() implements Command {}

  private DeploymentWatch() {}

  /** @param subscriber watched: the watch ends when it stops; null for a listener that is not an actor */
  static Behavior<Command> create(Consumer<DeploymentRegistry.Deployments> deliver, ActorRef<?> subscriber) {
    return Behaviors.setup(ctx -> {
      if (subscriber != null) {
        ctx.watchWith(subscriber, new SubscriberGone());
      }
      new ReplicatorMessageAdapter<Command, LWWMap<String, Deployment>>(
              ctx, DistributedData.get(ctx.getSystem()).replicator(), Duration.ofSeconds(5))
          .subscribe(DeploymentRegistry.KEY, Changed::new);
      return Behaviors.receive(Command.class)
          .onMessage(Changed.class, c -> {
            if (c.response() instanceof Replicator.Changed<LWWMap<String, Deployment>> changed) {
              deliver.accept(new DeploymentRegistry.Deployments(
                  DeploymentRegistry.get(ctx.getSystem()).usable(changed.get(DeploymentRegistry.KEY))));
            }
            return Behaviors.same();
          })
          .onMessage(Stop.class, s -> Behaviors.stopped())
          .onMessage(SubscriberGone.class, s -> Behaviors.stopped())
          .build();
    });
  }
}
