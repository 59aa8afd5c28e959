package io.rigserve.sharding.replica;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.serialization.KryoSerializer;
import io.rigserve.sharding.placement.Deployment;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The replica entity with a plain in-memory runtime: sharding knows nothing of ONNX, so these
 * tests exercise its queueing, deadlines and wire format without it. Messages are serialized
 * on every send ({@code serialize-messages = on}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PartitionReplicaTest {

  private final ActorTestKit kit = ActorTestKit.create("replica", ConfigFactory.parseString("""
      pekko.actor.provider = local
      pekko.actor.serialize-messages = on
      rigserve.replica.max-concurrent-runs = 1
      rigserve.replica.max-queued-runs = 1
      rigserve.replica.load-retry-min = 100ms
      """).withFallback(ConfigFactory.load()));

  private final ReplicaSettings settings = ReplicaSettings.from(kit.system().settings().config());
  private final Map<ReplicaId, PartitionRuntime> loaded = new ConcurrentHashMap<>();
  private final InMemoryRuntimes runtimes = new InMemoryRuntimes(loaded::get, Duration.ZERO);

  @AfterAll
  void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void aReplicaRunsItsRuntimeAndRepliesWithTheOutputs() {
    ReplicaId id = new ReplicaId("double", "1", 0, 0);
    loaded.put(id, (inputs, outputs) -> new Tensor[] {doubled(inputs[0])});
    ActorRef<PartitionReplica.Command> replica = spawnReady(id);
    TestProbe<StageResult> probe = kit.createTestProbe();

    replica.tell(new PartitionReplica.Run(input(1, 2, 3), far(), probe.getRef()));

    StageResult.Output output = assertInstanceOf(StageResult.Output.class, probe.receiveMessage());
    assertArrayEquals(new byte[] {2, 4, 6}, output.tensors()[0].data());
  }

  @Test
  void aFullReplicaAnswersOverloadedAtOnceAndServesTheQueuedRunLater() throws Exception {
    ReplicaId id = new ReplicaId("slow", "1", 0, 0);
    CountDownLatch release = new CountDownLatch(1);
    loaded.put(id, (inputs, outputs) -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return inputs;
    });
    ActorRef<PartitionReplica.Command> replica = spawnReady(id);
    TestProbe<StageResult> running = kit.createTestProbe();
    TestProbe<StageResult> queued = kit.createTestProbe();
    TestProbe<StageResult> refused = kit.createTestProbe();

    replica.tell(new PartitionReplica.Run(input(1), far(), running.getRef()));
    replica.tell(new PartitionReplica.Run(input(2), far(), queued.getRef()));
    replica.tell(new PartitionReplica.Run(input(3), far(), refused.getRef()));

    StageResult.Failed failed = assertInstanceOf(StageResult.Failed.class, refused.receiveMessage(Duration.ofSeconds(3)));
    assertEquals(StageResult.Reason.OVERLOADED, failed.reason());
    running.expectNoMessage(Duration.ofMillis(100));
    release.countDown();
    assertInstanceOf(StageResult.Output.class, running.receiveMessage());
    assertInstanceOf(StageResult.Output.class, queued.receiveMessage());
  }

  @Test
  void aRunWhoseDeadlinePassedIsNotStarted() {
    ReplicaId id = new ReplicaId("late", "1", 0, 0);
    loaded.put(id, (inputs, outputs) -> inputs);
    ActorRef<PartitionReplica.Command> replica = kit.spawn(PartitionReplica.create(id, runtimes, settings, kit.<ReplicaHost.Command>createTestProbe().getRef()));
    TestProbe<StageResult> probe = kit.createTestProbe();

    replica.tell(new PartitionReplica.Run(input(1), System.currentTimeMillis() - 1, probe.getRef()));

    assertEquals(StageResult.Reason.DEADLINE_EXCEEDED,
        assertInstanceOf(StageResult.Failed.class, probe.receiveMessage()).reason());
  }

  @Test
  void aReplicaWithoutARuntimeSaysItIsNotLoadedAndAClientErrorIsKeptApart() {
    TestProbe<StageResult> probe = kit.createTestProbe();
    kit.spawn(PartitionReplica.create(new ReplicaId("absent", "1", 0, 0), runtimes, settings, kit.<ReplicaHost.Command>createTestProbe().getRef()))
        .tell(new PartitionReplica.Run(input(1), far(), probe.getRef()));
    assertEquals(StageResult.Reason.NOT_LOADED, assertInstanceOf(StageResult.Failed.class, probe.receiveMessage()).reason());

    ReplicaId picky = new ReplicaId("picky", "1", 0, 0);
    loaded.put(picky, (inputs, outputs) -> {
      throw new PartitionRuntime.RuntimeFailure("input 'x' is wrong", true, null);
    });
    kit.spawn(PartitionReplica.create(picky, runtimes, settings, kit.<ReplicaHost.Command>createTestProbe().getRef()))
        .tell(new PartitionReplica.Run(input(1), far(), probe.getRef()));
    StageResult.Failed failed = assertInstanceOf(StageResult.Failed.class, probe.receiveMessage());
    assertEquals(StageResult.Reason.INVALID_INPUT, failed.reason());
    assertEquals("input 'x' is wrong", failed.message());
  }

  @Test
  void everyMessageOfTheProtocolGoesThroughKryo() throws Exception {
    TestProbe<StageResult> probe = kit.createTestProbe();
    StageInput stage = new StageInput(new Tensor[] {
        new Tensor("a", DataType.FP16, new long[] {2}, new byte[] {0, 60, 0, -68})}, new String[] {"out"});
    List<Object> messages = List.of(
        new PartitionReplica.Run(stage, 123L, probe.getRef()),
        new StageResult.Output(stage.tensors()),
        new StageResult.Failed(StageResult.Reason.OVERLOADED, "full"),
        new PartitionReplica.Warm(),
        new ReplicaStatus("pekko://rigserve@10.0.0.1:7355", ReplicaState.FAILED, "corrupt"),
        new Deployment("m", "1", 2, new String[] {"eu-west"}, 2, new long[] {10, 20},
            new String[] {"aa", "bb"}, new String[] {"http://10.0.0.1:7626"}));
    for (Object message : messages) {
      Serializer serializer = SerializationExtension.get(kit.system().classicSystem()).findSerializerFor(message);
      assertEquals(KryoSerializer.IDENTIFIER, serializer.identifier(), message.getClass().getName());
      Object back = serializer.fromBinary(serializer.toBinary(message), message.getClass());
      assertEquals(message.getClass(), back.getClass());
      if (!(message instanceof PartitionReplica.Run) && !(message instanceof StageResult.Output)) {
        assertEquals(message, back); // values kept in Distributed Data must come back equal
      }
    }
    PartitionReplica.Run run = (PartitionReplica.Run) SerializationExtension.get(kit.system().classicSystem())
        .deserialize(SerializationExtension.get(kit.system().classicSystem()).serialize(messages.get(0)).get(),
            PartitionReplica.Run.class).get();
    assertEquals(stage.tensors()[0], run.input().tensors()[0]);
    assertArrayEquals(new String[] {"out"}, run.input().outputs());
    assertEquals(123L, run.deadlineEpochMillis());
  }

  @Test
  void aReplicaLoadsAsSoonAsItStartsAndServesTheRunsQueuedMeanwhile() {
    ReplicaId id = new ReplicaId("late-loader", "1", 0, 0);
    loaded.put(id, (inputs, outputs) -> new Tensor[] {doubled(inputs[0])});
    var opening = runtimes.holdOpening(id);
    TestProbe<ReplicaHost.Command> host = kit.createTestProbe();
    ActorRef<PartitionReplica.Command> replica = kit.spawn(PartitionReplica.create(id, runtimes, settings, host.getRef()));
    assertEquals(ReplicaState.LOADING, state(host));
    TestProbe<StageResult> probe = kit.createTestProbe();

    replica.tell(new PartitionReplica.Run(input(4), far(), probe.getRef()));
    probe.expectNoMessage(Duration.ofMillis(200));
    opening.complete(loaded.get(id));

    assertEquals(ReplicaState.READY, state(host));
    assertArrayEquals(new byte[] {8}, assertInstanceOf(StageResult.Output.class, probe.receiveMessage()).tensors()[0].data());
    assertEquals(1, runtimes.openings(id));
  }

  @Test
  void aReplicaWhoseRuntimeFailsToOpenSaysWhyAnswersNotLoadedAndTriesAgain() {
    ReplicaId id = new ReplicaId("flaky", "1", 0, 0);
    loaded.put(id, (inputs, outputs) -> inputs);
    runtimes.failOpening(id, 1);
    TestProbe<ReplicaHost.Command> host = kit.createTestProbe();
    ActorRef<PartitionReplica.Command> replica = kit.spawn(PartitionReplica.create(id, runtimes, settings, host.getRef()));

    assertEquals(ReplicaState.LOADING, state(host));
    ReplicaHost.ReplicaChanged failed = (ReplicaHost.ReplicaChanged) host.receiveMessage();
    assertEquals(ReplicaState.FAILED, failed.state());
    assertTrue(failed.reason().contains("corrupt"), failed.reason());
    TestProbe<StageResult> probe = kit.createTestProbe();
    replica.tell(new PartitionReplica.Run(input(1), far(), probe.getRef()));
    StageResult.Failed notLoaded = assertInstanceOf(StageResult.Failed.class, probe.receiveMessage());
    assertEquals(StageResult.Reason.NOT_LOADED, notLoaded.reason());
    assertTrue(notLoaded.message().contains("corrupt"), notLoaded.message());

    assertEquals(ReplicaState.LOADING, state(host)); // after the back-off
    assertEquals(ReplicaState.READY, state(host));
    replica.tell(new PartitionReplica.Run(input(1), far(), probe.getRef()));
    assertInstanceOf(StageResult.Output.class, probe.receiveMessage());
    assertEquals(2, runtimes.openings(id));
  }

  @Test
  void aStoppedReplicaClosesItsRuntime() {
    ReplicaId id = new ReplicaId("closing", "1", 0, 0);
    loaded.put(id, (inputs, outputs) -> inputs);
    ActorRef<PartitionReplica.Command> replica = spawnReady(id);

    kit.stop(replica);

    kit.createTestProbe().awaitAssert(Duration.ofSeconds(3), () -> {
      assertTrue(runtimes.closed().contains(id), "runtime of " + id + " not closed");
      return null;
    });
  }

  private ActorRef<PartitionReplica.Command> spawnReady(ReplicaId id) {
    TestProbe<ReplicaHost.Command> host = kit.createTestProbe();
    ActorRef<PartitionReplica.Command> replica = kit.spawn(PartitionReplica.create(id, runtimes, settings, host.getRef()));
    assertEquals(ReplicaState.LOADING, state(host));
    assertEquals(ReplicaState.READY, state(host));
    return replica;
  }

  private static ReplicaState state(TestProbe<ReplicaHost.Command> host) {
    return ((ReplicaHost.ReplicaChanged) host.receiveMessage(Duration.ofSeconds(3))).state();
  }

  private static StageInput input(int... values) {
    byte[] data = new byte[values.length];
    for (int i = 0; i < values.length; i++) data[i] = (byte) values[i];
    return new StageInput(new Tensor[] {new Tensor("x", DataType.INT8, new long[] {values.length}, data)}, new String[0]);
  }

  private static Tensor doubled(Tensor t) {
    byte[] out = t.data().clone();
    for (int i = 0; i < out.length; i++) out[i] *= 2;
    return new Tensor("y", t.datatype(), t.shape(), out);
  }

  private static long far() {
    return System.currentTimeMillis() + 30_000;
  }
}
