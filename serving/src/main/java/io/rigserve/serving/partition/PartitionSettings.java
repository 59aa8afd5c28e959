package io.rigserve.serving.partition;

/**
 * How the partitioner trades balance for narrow cuts, and how it sizes a stage in memory.
 *
 * @param balanceTolerance how far (as a fraction of an average stage's weight bytes) a cut may move
 *     from the perfectly balanced position to cross fewer, smaller tensors; 0 cuts for balance alone
 * @param memoryFactor memory a loaded stage needs per byte of weights: ONNX Runtime holds the
 *     weights, plus prepacked copies and arena slack for some kernels
 * @param memoryOverheadBytes memory a loaded stage needs whatever its weights: the session, its
 *     kernels and graph, and activations of a modest batch
 */
public record PartitionSettings(double balanceTolerance, double memoryFactor, long memoryOverheadBytes) {

  public PartitionSettings {
    if (!(balanceTolerance >= 0 && balanceTolerance <= 1)) {
      throw new IllegalArgumentException("balance tolerance must be between 0 and 1, got " + balanceTolerance);
    }
    if (!(memoryFactor >= 1)) {
      throw new IllegalArgumentException("memory factor must be at least 1, got " + memoryFactor);
    }
    if (memoryOverheadBytes < 0) {
      throw new IllegalArgumentException("memory overhead must be >= 0, got " + memoryOverheadBytes);
    }
  }

  /** Cuts may move 10% of a stage's weight for a narrower crossing; a stage needs 1.2 x weights + 64 MiB. */
  public static PartitionSettings defaults() {
    return new PartitionSettings(0.10, 1.2, 64L << 20);
  }

  /** The memory a stage holding this many weight bytes needs once loaded. */
  public long memoryFor(long weightBytes) {
    double bytes = Math.ceil(weightBytes * memoryFactor) + memoryOverheadBytes;
    return bytes >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) bytes;
  }
}
