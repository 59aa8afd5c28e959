package io.rigserve.sharding.placement;

import io.rigserve.cluster.serialization.InternalMessage;
import java.util.Arrays;
import java.util.Objects;

/**
 * The desired state of one model version in the cluster: cut into {@code partitions} stages,
 * served in {@code regions} (empty: every region) with {@code replicasPerRegion} replicas of
 * each partition. Per partition: the memory it needs on a rig and the sha256 of its file.
 * {@code origins} are data plane URLs of rigs that hold every partition file. {@code descriptor}
 * is what gateways need to run the model (its inputs, outputs and stages), opaque to sharding.
 */
public record Deployment(
    String model,
    String version,
    int partitions,
    String[] regions,
    int replicasPerRegion,
    long[] partitionBytes,
    String[] partitionSha256,
    String[] origins,
    byte[] descriptor) implements InternalMessage {

  /** A deployment whose gateways need no descriptor (placement alone). */
  public Deployment(String model, String version, int partitions, String[] regions, int replicasPerRegion,
      long[] partitionBytes, String[] partitionSha256, String[] origins) {
    this(model, version, partitions, regions, replicasPerRegion, partitionBytes, partitionSha256, origins, new byte[0]);
  }

  public Deployment {
    Objects.requireNonNull(model);
    Objects.requireNonNull(version);
    if (partitions < 1) throw new IllegalArgumentException("partitions must be >= 1");
    if (replicasPerRegion < 1) throw new IllegalArgumentException("replicas per region must be >= 1");
    if (partitionBytes.length != partitions || partitionSha256.length != partitions) {
      throw new IllegalArgumentException("one size and one sha256 per partition");
    }
  }

  /** The key of this deployment in the cluster-wide map: {@code model@version}. */
  public String key() {
    return model + "@" + version;
  }

  public boolean servesRegion(String region) {
    return regions.length == 0 || Arrays.asList(regions).contains(region);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Deployment d
        && model.equals(d.model) && version.equals(d.version) && partitions == d.partitions
        && replicasPerRegion == d.replicasPerRegion && Arrays.equals(regions, d.regions)
        && Arrays.equals(partitionBytes, d.partitionBytes) && Arrays.equals(partitionSha256, d.partitionSha256)
        && Arrays.equals(origins, d.origins) && Arrays.equals(descriptor, d.descriptor);
  }

  @Override
  public int hashCode() {
    return Objects.hash(model, version, partitions, replicasPerRegion, Arrays.hashCode(partitionSha256));
  }

  @Override
  public String toString() {
    return key() + "{K=" + partitions + ", regions=" + Arrays.toString(regions) + ", replicas=" + replicasPerRegion + "}";
  }
}
