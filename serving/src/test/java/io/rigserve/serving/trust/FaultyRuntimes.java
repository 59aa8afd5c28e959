package io.rigserve.serving.trust;

import io.rigserve.sharding.replica.PartitionRuntime;
import io.rigserve.sharding.replica.PartitionRuntimes;
import io.rigserve.sharding.replica.ReplicaId;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Faulty hardware for tests, put between a rig's replicas and its real runtimes through {@code
 * Rig.start}'s runtime seam: a liar that, after {@code honestRuns} runs, corrupts a share of its
 * outputs (every float shifted by 0.5, every integer byte flipped), or an honest rig of other
 * hardware whose floats differ from everybody else's by a relative 1e-6.
 */
public final class FaultyRuntimes implements PartitionRuntimes {

  private final PartitionRuntimes real;
  private final UnaryOperator<Tensor> fault;
  private final double share;
  private final long honestRuns;
  private final SplittableRandom random = new SplittableRandom(7);
  private final AtomicLong runs = new AtomicLong();
  private final AtomicLong corrupted = new AtomicLong();

  private FaultyRuntimes(PartitionRuntimes real, UnaryOperator<Tensor> fault, double share, long honestRuns) {
    this.real = real;
    this.fault = fault;
    this.share = share;
    this.honestRuns = honestRuns;
  }

  /** A rig that answers wrong in {@code share} of its runs after its first {@code honestRuns}. */
  public static FaultyRuntimes liar(PartitionRuntimes real, double share, long honestRuns) {
    return new FaultyRuntimes(real, FaultyRuntimes::corrupt, share, honestRuns);
  }

  /** A rig whose floats differ slightly, as other hardware rounds differently. */
  public static FaultyRuntimes otherHardware(PartitionRuntimes real) {
    return new FaultyRuntimes(real, t -> scaleFloats(t, 1 + 1e-6), 1.0, 0);
  }

  public long runs() {
    return runs.get();
  }

  /** Runs whose outputs were corrupted. */
  public long corrupted() {
    return corrupted.get();
  }

  @Override
  public CompletionStage<PartitionRuntime> open(ReplicaId id) {
    return real.open(id).thenApply(runtime -> (inputs, outputNames) -> {
      Tensor[] out = runtime.run(inputs, outputNames);
      if (runs.incrementAndGet() <= honestRuns || !draw()) return out;
      corrupted.incrementAndGet();
      Tensor[] changed = new Tensor[out.length];
      for (int i = 0; i < out.length; i++) changed[i] = fault.apply(out[i]);
      return changed;
    });
  }

  private synchronized boolean draw() {
    return share >= 1.0 || random.nextDouble() < share;
  }

  @Override
  public void close(ReplicaId id) {
    real.close(id);
  }

  static Tensor corrupt(Tensor t) {
    if (t.datatype() == DataType.FP32) return shiftFloats(t, 0.5f);
    byte[] data = t.data().clone();
    for (int i = 0; i < data.length; i++) data[i] ^= 0x01;
    return new Tensor(t.name(), t.datatype(), t.shape(), data);
  }

  private static Tensor shiftFloats(Tensor t, float by) {
    ByteBuffer in = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer out = ByteBuffer.allocate(t.data().length).order(ByteOrder.LITTLE_ENDIAN);
    while (in.remaining() >= 4) out.putFloat(in.getFloat() + by);
    return new Tensor(t.name(), t.datatype(), t.shape(), out.array());
  }

  static Tensor scaleFloats(Tensor t, double factor) {
    if (t.datatype() != DataType.FP32) return t;
    ByteBuffer in = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer out = ByteBuffer.allocate(t.data().length).order(ByteOrder.LITTLE_ENDIAN);
    while (in.remaining() >= 4) out.putFloat((float) (in.getFloat() * factor));
    return new Tensor(t.name(), t.datatype(), t.shape(), out.array());
  }
}
