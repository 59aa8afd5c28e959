package io.rigserve.bench.trust;

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

/**
 * The bench's faulty hardware, put between a rig's replicas and its real runtimes through {@code
 * Rig.start}'s runtime seam (never a setting): when lying, it shifts every float of a share of
 * its outputs by 0.5; as other hardware, it scales every float by 1 + 1e-6, as different
 * rounding would.
 */
final class LyingRuntimes implements PartitionRuntimes {

  private final PartitionRuntimes real;
  private final boolean otherHardware;
  private final AtomicLong runs = new AtomicLong();
  private final SplittableRandom random = new SplittableRandom(11);
  private volatile double lyingShare;

  private LyingRuntimes(PartitionRuntimes real, boolean otherHardware) {
    this.real = real;
    this.otherHardware = otherHardware;
  }

  static LyingRuntimes liar(PartitionRuntimes real) {
    return new LyingRuntimes(real, false);
  }

  static LyingRuntimes otherHardware(PartitionRuntimes real) {
    return new LyingRuntimes(real, true);
  }

  /** Corrupts {@code share} of the outputs from now on (0: honest). */
  void lie(double share) {
    lyingShare = share;
  }

  /** Stage runs so far (served and checks alike). */
  long runs() {
    return runs.get();
  }

  @Override
  public CompletionStage<PartitionRuntime> open(ReplicaId id) {
    return real.open(id).thenApply(runtime -> (inputs, outputNames) -> {
      Tensor[] out = runtime.run(inputs, outputNames);
      runs.incrementAndGet();
      if (otherHardware) return map(out, 1 + 1e-6f, 0f);
      if (lyingShare > 0 && draw() < lyingShare) return map(out, 1f, 0.5f);
      return out;
    });
  }

  private synchronized double draw() {
    return random.nextDouble();
  }

  @Override
  public void close(ReplicaId id) {
    real.close(id);
  }

  private static Tensor[] map(Tensor[] out, float scale, float shift) {
    Tensor[] changed = new Tensor[out.length];
    for (int i = 0; i < out.length; i++) {
      Tensor t = out[i];
      if (t.datatype() != DataType.FP32) {
        changed[i] = t;
        continue;
      }
      ByteBuffer in = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer o = ByteBuffer.allocate(t.data().length).order(ByteOrder.LITTLE_ENDIAN);
      while (in.remaining() >= 4) o.putFloat(in.getFloat() * scale + shift);
      changed[i] = new Tensor(t.name(), t.datatype(), t.shape(), o.array());
    }
    return changed;
  }
}
