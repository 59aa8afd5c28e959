package io.rigserve.serving.fuzz;

import com.sun.management.ThreadMXBean;
import io.rigserve.cluster.topology.RigIdentity;
import io.rigserve.cluster.topology.RigPeer;
import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import io.rigserve.sharding.placement.Deployment;
import io.rigserve.sharding.replica.PartitionReplica;
import io.rigserve.sharding.replica.ReplicaDirectory;
import io.rigserve.sharding.replica.ReplicaId;
import io.rigserve.sharding.replica.ReplicaLocation;
import io.rigserve.sharding.replica.ReplicaState;
import io.rigserve.sharding.replica.ReplicaStatus;
import io.rigserve.sharding.replica.StageInput;
import io.rigserve.sharding.replica.StageResult;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Kryo serializer under fuzz, as a peer's bytes reach it: mutations of real serialized
 * internal messages (stage runs with tensors, results, deployments, identities, probes) fed to
 * the rig's own serializer. Decoding may fail, but only with an exception: never an error
 * (out of memory, stack overflow), never a hang, and never by allocating what the bytes only
 * declare. A decoded {@code Run} is then sent to a real replica, which must answer in time, and
 * refuse it when its tensors disagree with their shapes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KryoFuzzTest {

  /** Most a decode may allocate beyond a small multiple of the bytes it was given. */
  private static final long ALLOCATION_ALLOWANCE = 64L << 20;

  private TestRig rig;
  private RigWatch watch;
  private Serializer serializer;
  private EntityRef<PartitionReplica.Command> replica;
  private List<byte[]> valid;
  private ExecutorService decoder;

  @BeforeAll
  void start() throws Exception {
    Path repository = Files.createTempDirectory("rigserve-fuzz-kryo");
    ServedModels.writeRepository(repository);
    rig = TestRig.start(repository, "");
    watch = RigWatch.of(rig);
    ActorSystem<?> system = rig.rig.system();
    serializer = SerializationExtension.get(system.classicSystem()).serializerFor(PartitionReplica.Warm.class);
    String self = Cluster.get(system).selfMember().address().toString();
    ReplicaLocation mlp = ReplicaDirectory.get(system).snapshot().onRig(self).stream()
        .filter(r -> r.id().model().equals("mlp") && r.isReady()).findFirst().orElseThrow();
    replica = ClusterSharding.get(system).entityRefFor(PartitionReplica.TYPE_KEY, mlp.id().entityId());
    ActorRef<StageResult> replyTo = system.ignoreRef();
    Tensor features = new Tensor("features", DataType.FP32, new long[] {1, 4}, new byte[16]);
    Tensor offset = new Tensor("offset", DataType.FP32, new long[] {1, 3}, new byte[12]);
    Tensor text = new Tensor("in_bytes", DataType.BYTES, new long[] {2}, new byte[] {1, 0, 0, 0, 'a', 0, 0, 0, 0});
    List<Object> messages = List.of(
        new PartitionReplica.Run(new StageInput(new Tensor[] {features, offset}, new String[] {"scores"}),
            System.currentTimeMillis() + 60_000, replyTo),
        new PartitionReplica.Run(new StageInput(new Tensor[] {text}, new String[0]), Long.MAX_VALUE, replyTo),
        new PartitionReplica.Warm(),
        new StageResult.Output(new Tensor[] {features}),
        new StageResult.Failed(StageResult.Reason.INVALID_INPUT, "shape [1, 4] needs 16 bytes"),
        new ReplicaId("mlp", "1", 0, 1),
        new ReplicaStatus(self, ReplicaState.READY, ""),
        new Deployment("mlp", "1", 2, new String[] {"local"}, 1, new long[] {100, 200}, new String[] {"ab", "cd"},
            new String[] {"http://127.0.0.1:1"}, new byte[] {1, 2, 3}),
        new RigIdentity("local", "a", 1.5, -2.5, 1L << 30, "http://127.0.0.1:7627"),
        new RigPeer.Pong(42),
        new RigPeer.Ping(7, system.ignoreRef()),
        new long[] {1, 2, 3},
        new String[] {"a", "b"});
    valid = messages.stream().map(serializer::toBinary).toList();
    decoder = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "fuzz-kryo-decode");
      t.setDaemon(true);
      return t;
    });
  }

  @AfterAll
  void stop() throws Exception {
    if (decoder != null) decoder.shutdownNow();
    watch.close();
    rig.close();
  }

  /** What one decode did: the message or the exception, the bytes its thread allocated, or the error it threw. */
  private record Decoded(Object message, Exception refused, Throwable error, long allocated) {}

  @Test
  void mutatedPeerMessagesAreRefusedWithoutAllocatingWhatTheyDeclareAndReplicasAnswerDecodedRuns() throws Exception {
    ActorSystem<?> system = rig.rig.system();
    FuzzRun.of("kryo").run((i, in, findings) -> {
      byte[] original = in.pick(valid);
      byte[] bytes = in.chance(0.9) ? in.mutate(original) : in.bytes();
      String input = "kryo bytes " + HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 120))
          + " (" + bytes.length + " bytes)";
      Future<Decoded> decoding = decoder.submit(() -> decode(bytes));
      Decoded d;
      try {
        d = decoding.get(FuzzRun.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        decoding.cancel(true);
        findings.add("decoding took over " + FuzzRun.PATIENCE.toSeconds() + " s", i, input);
        return;
      }
      if (d.error() != null) {
        findings.add("decoding threw " + d.error().getClass().getSimpleName(), i, input);
      }
      if (d.allocated() > ALLOCATION_ALLOWANCE + 64L * bytes.length) {
        findings.add("decoding allocated over " + (ALLOCATION_ALLOWANCE >> 20) + " MiB for a message of a few bytes", i,
            input + ": " + (d.allocated() >> 20) + " MiB");
      }
      if (d.message() instanceof PartitionReplica.Run run && run.input() != null && run.input().tensors() != null) {
        askReplica(replica, run, system, i, input, findings);
      }
    }, 500, watch::assertSameAnswers);
  }

  private Decoded decode(byte[] bytes) {
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(tid);
    try {
      Object message = serializer.fromBinary(bytes);
      return new Decoded(message, null, null, threads.getThreadAllocatedBytes(tid) - before);
    } catch (Exception e) {
      return new Decoded(null, e, null, threads.getThreadAllocatedBytes(tid) - before);
    } catch (Throwable t) {
      return new Decoded(null, null, t, threads.getThreadAllocatedBytes(tid) - before);
    }
  }

  /** Sends a decoded run to the real replica: it must answer in time, and refuse tensors that disagree with their shapes. */
  private static void askReplica(EntityRef<PartitionReplica.Command> replica, PartitionReplica.Run decoded, ActorSystem<?> system, int i,
      String input, Findings findings) throws Exception {
    boolean consistent = consistent(decoded.input().tensors());
    StageResult result;
    try {
      result = AskPattern.<PartitionReplica.Command, StageResult>ask(replica,
              replyTo -> new PartitionReplica.Run(decoded.input(), decoded.deadlineEpochMillis(), replyTo),
              FuzzRun.PATIENCE, system.scheduler())
          .toCompletableFuture().get(FuzzRun.PATIENCE.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      findings.add("the replica did not answer a decoded Run within " + FuzzRun.PATIENCE.toSeconds() + " s", i, input);
      return;
    }
    if (!consistent && !(result instanceof StageResult.Failed f && f.reason() == StageResult.Reason.INVALID_INPUT)) {
      findings.add("the replica did not refuse a Run whose tensors disagree with their shapes: "
          + (result instanceof StageResult.Failed f ? f.reason() : "ran it"), i, input);
    }
  }

  private static boolean consistent(Tensor[] tensors) {
    for (Tensor t : tensors) {
      if (t == null || t.name() == null || t.datatype() == null || t.shape() == null || t.data() == null) return false;
      long count;
      try {
        count = Tensor.elementCount(t.shape());
      } catch (ArithmeticException e) {
        return false;
      }
      for (long d : t.shape()) if (d < 0) return false;
      if (t.datatype() == DataType.BYTES) {
        if (!bytesConsistent(t.data(), count)) return false;
      } else if (count * t.datatype().elementSize() != t.data().length) {
        return false;
      }
    }
    return true;
  }

  /** BYTES elements: exactly {@code count} length-prefixed strings filling the data. */
  private static boolean bytesConsistent(byte[] data, long count) {
    int at = 0;
    for (long k = 0; k < count; k++) {
      if (at + 4 > data.length) return false;
      long len = (data[at] & 0xffL) | (data[at + 1] & 0xffL) << 8 | (data[at + 2] & 0xffL) << 16 | (data[at + 3] & 0xffL) << 24;
      at += 4;
      if (len > data.length - at) return false;
      at += (int) len;
    }
    return at == data.length;
  }
}
