package io.rigserve.cluster.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.node.ClusterSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class RttProberTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "prober",
          ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** A long period: each test sends the Probe ticks itself. */
  private static ClusterSettings settings() {
    return ClusterSettings.from(
        ConfigFactory.parseString("rigserve.cluster.rtt.probe-interval = 10m").withFallback(ConfigFactory.load()));
  }

  private record Pinged(Address rig, RigPeer.Ping ping) {}

  /** A peer that reports every ping it gets, with its own address, to one probe. */
  private static RttProber.Target target(int port, String region, TestProbe<Pinged> pings) {
    Address address = new Address("pekko", "rigserve", "10.0.0.1", port);
    ActorRef<RigPeer.Command> peer =
        testKit.spawn(Behaviors.receive(RigPeer.Command.class)
            .onMessage(RigPeer.Ping.class, ping -> {
              pings.getRef().tell(new Pinged(address, ping));
              return Behaviors.same();
            })
            .build());
    return new RttProber.Target(address, region, peer);
  }

  @Test
  void eachPeriodPingsEveryRigOfItsOwnRegionButOnlyTwoOfEachOtherRegionInTurn() {
    TestProbe<RegionTopology.Command> topology = testKit.createTestProbe();
    TestProbe<Pinged> pings = testKit.createTestProbe();
    ActorRef<RttProber.Command> prober = testKit.spawn(RttProber.create("us-east", settings(), topology.getRef()));
    List<RttProber.Target> targets = new ArrayList<>();
    for (int i = 1; i <= 3; i++) targets.add(target(i, "us-east", pings));
    for (int i = 11; i <= 15; i++) targets.add(target(i, "eu-west", pings));
    prober.tell(new RttProber.Targets(targets));

    Set<Address> euWestReached = new HashSet<>();
    for (int period = 0; period < 3; period++) {
      prober.tell(new RttProber.Probe());
      List<Pinged> got = pings.receiveSeveralMessages(5);
      pings.expectNoMessage(Duration.ofMillis(100));
      assertEquals(3, got.stream().filter(p -> p.rig().getPort().get() < 10).count(), "all of us-east");
      assertEquals(2, got.stream().filter(p -> p.rig().getPort().get() > 10).count(), "two of eu-west");
      got.stream().map(Pinged::rig).filter(a -> a.getPort().get() > 10).forEach(euWestReached::add);
    }
    assertEquals(5, euWestReached.size(), "three periods reach all five eu-west rigs");
  }

  @Test
  void aPongBecomesAnRttSampleOfTheRigThatAnswered() {
    TestProbe<RegionTopology.Command> topology = testKit.createTestProbe();
    TestProbe<Pinged> pings = testKit.createTestProbe();
    ActorRef<RttProber.Command> prober = testKit.spawn(RttProber.create("us-east", settings(), topology.getRef()));
    RttProber.Target far = target(21, "af-south", pings);
    prober.tell(new RttProber.Targets(List.of(far)));
    prober.tell(new RttProber.Probe());

    Pinged pinged = pings.receiveMessage();
    pinged.ping().replyTo().tell(new RigPeer.Pong(pinged.ping().sequence()));
    RegionTopology.RttSampled sample = topology.expectMessageClass(RegionTopology.RttSampled.class);
    assertEquals(far.address(), sample.rig());
    assertEquals("af-south", sample.region());
    assertTrue(sample.millis() >= 0 && sample.millis() < 1000, sample.millis() + " ms");

    // An answer to an unknown or repeated sequence number is ignored.
    pinged.ping().replyTo().tell(new RigPeer.Pong(pinged.ping().sequence()));
    topology.expectNoMessage(Duration.ofMillis(100));
  }
}
