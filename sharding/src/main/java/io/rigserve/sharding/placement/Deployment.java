package io.rigserve.sharding.placement;

import io.rigserve.cluster.serialization.InternalMessage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The desired state of one model version in the cluster: cut into {@code partitions} stages,
 * served in {@code regions} (empty: every region) with {@code replicasPerRegion} replicas of
 * each partition. Per partition: the memory it needs on a rig and the sha256 of its file.
 * {@code origins} are data plane URLs of rigs that hold every partition file. {@code descriptor}
 * is what gateways need to run the model (its inputs, outputs and stages), opaque to sharding.
 * {@code signedBy} and {@code signature}: the operator's deploy key over {@link #signedContent()}
 * (empty when unsigned).
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
    byte[] descriptor,
    String signedBy,
    byte[] signature) implements InternalMessage {

  /** An unsigned deployment (a cluster that trusts no deploy key, or one about to be signed). */
  public Deployment(String model, String version, int partitions, String[] regions, int replicasPerRegion,
      long[] partitionBytes, String[] partitionSha256, String[] origins, byte[] descriptor) {
    this(model, version, partitions, regions, replicasPerRegion, partitionBytes, partitionSha256, origins, descriptor, "", new byte[0]);
  }

  /** A deployment whose gateways need no descriptor (placement alone). */
  public Deployment(String model, String version, int partitions, String[] regions, int replicasPerRegion,
      long[] partitionBytes, String[] partitionSha256, String[] origins) {
    this(model, version, partitions, regions, replicasPerRegion, partitionBytes, partitionSha256, origins, new byte[0]);
  }

  /** Most stages a model may be cut into (as a load request allows). */
  public static final int MAX_PARTITIONS = 1024;
  /** Most replicas of each partition per region (as a load request allows). */
  public static final int MAX_REPLICAS_PER_REGION = 64;
  /** Most regions, origins, and the longest origin URL a deployment may name. */
  public static final int MAX_REGIONS = 64;
  public static final int MAX_ORIGINS = 64;
  public static final int MAX_ORIGIN_LENGTH = 512;
  /** Largest descriptor (inputs, outputs and stages): a larger one could not cross Artery's ordinary frame anyway. */
  public static final int MAX_DESCRIPTOR_BYTES = 256 << 10;
  /** Longest signature and key id (an Ed25519 signature is 64 bytes). */
  public static final int MAX_SIGNATURE_BYTES = 128;
  public static final int MAX_KEY_ID_LENGTH = 64;

  /** The model repository's rules for names and versions; they become folder names on rigs. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
  private static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");
  private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern DIGEST = Pattern.compile("[0-9A-Za-z]{1,128}");

  /**
   * Takes any values, so that a deployment another rig published always deserializes (a refusal
   * while decoding would drop the whole Distributed Data gossip carrying it): {@link #validate()}
   * says whether it may be used. Missing arrays become empty.
   */
  public Deployment {
    regions = regions == null ? new String[0] : regions;
    partitionBytes = partitionBytes == null ? new long[0] : partitionBytes;
    partitionSha256 = partitionSha256 == null ? new String[0] : partitionSha256;
    origins = origins == null ? new String[0] : origins;
    descriptor = descriptor == null ? new byte[0] : descriptor;
    signedBy = signedBy == null ? "" : signedBy;
    signature = signature == null ? new byte[0] : signature;
  }

  /** This deployment signed by {@code keyId} with {@code signature} over its {@link #signedContent()}. */
  public Deployment signed(String keyId, byte[] signature) {
    return new Deployment(model, version, partitions, regions, replicasPerRegion, partitionBytes, partitionSha256,
        origins, descriptor, keyId, signature);
  }

  /** This deployment (its signature kept) with {@code origins}, which the signature does not cover. */
  public Deployment withOrigins(String[] origins) {
    return new Deployment(model, version, partitions, regions, replicasPerRegion, partitionBytes, partitionSha256,
        origins, descriptor, signedBy, signature);
  }

  /**
   * What a deploy key signs: everything that decides what runs and where (model, version, K,
   * regions, replicas, sizes and sha256 of every partition, the descriptor's sha256). Not the
   * origins: rigs that hold the same files add themselves to them without the key.
   */
  public byte[] signedContent() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeUTF("rigserve-deployment-v1");
      out.writeUTF(model == null ? "" : model);
      out.writeUTF(version == null ? "" : version);
      out.writeInt(partitions);
      out.writeInt(regions.length);
      for (String region : regions) out.writeUTF(region == null ? "" : region);
      out.writeInt(replicasPerRegion);
      out.writeInt(partitionBytes.length);
      for (long size : partitionBytes) out.writeLong(size);
      out.writeInt(partitionSha256.length);
      for (String sha : partitionSha256) out.writeUTF(sha == null ? "" : sha);
      out.write(MessageDigest.getInstance("SHA-256").digest(descriptor));
      out.flush();
      return bytes.toByteArray();
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot encode " + this, e);
    }
  }

  /**
   * Why this deployment must not be used, or empty when it is sane: names and versions follow
   * the repository's rules, K and replicas are within the bounds a load request allows, one
   * positive size and one digest per partition, and regions and origins are few and well formed.
   * Deployments come from any member of the cluster, so every rig checks before acting on one.
   */
  public Optional<String> validate() {
    if (model == null || !NAME.matcher(model).matches()) return Optional.of("model name " + shown(model) + " is not a valid name");
    if (version == null || !VERSION.matcher(version).matches()) return Optional.of("version " + shown(version) + " is not a number");
    if (partitions < 1 || partitions > MAX_PARTITIONS) {
      return Optional.of(partitions + " partitions, not between 1 and " + MAX_PARTITIONS);
    }
    if (replicasPerRegion < 1 || replicasPerRegion > MAX_REPLICAS_PER_REGION) {
      return Optional.of(replicasPerRegion + " replicas per region, not between 1 and " + MAX_REPLICAS_PER_REGION);
    }
    if (partitionBytes.length != partitions || partitionSha256.length != partitions) {
      return Optional.of(partitionBytes.length + " sizes and " + partitionSha256.length + " digests for " + partitions + " partitions");
    }
    for (int p = 0; p < partitions; p++) {
      if (partitionBytes[p] < 1) return Optional.of("partition " + p + " declares " + partitionBytes[p] + " bytes");
      if (partitionSha256[p] == null || !DIGEST.matcher(partitionSha256[p]).matches()) {
        return Optional.of("partition " + p + " has no valid digest");
      }
    }
    if (regions.length > MAX_REGIONS || new HashSet<>(Arrays.asList(regions)).size() != regions.length) {
      return Optional.of(regions.length + " regions, more than " + MAX_REGIONS + " or repeated");
    }
    for (String region : regions) {
      if (region == null || !REGION.matcher(region).matches()) return Optional.of("region " + shown(region) + " is not a valid name");
    }
    if (origins.length > MAX_ORIGINS) return Optional.of(origins.length + " origins, more than " + MAX_ORIGINS);
    for (String origin : origins) {
      if (origin == null || origin.isEmpty() || origin.length() > MAX_ORIGIN_LENGTH) {
        return Optional.of("an origin is empty or longer than " + MAX_ORIGIN_LENGTH + " characters");
      }
    }
    if (descriptor.length > MAX_DESCRIPTOR_BYTES) {
      return Optional.of("descriptor of " + descriptor.length + " bytes, more than " + MAX_DESCRIPTOR_BYTES);
    }
    if (signedBy.length() > MAX_KEY_ID_LENGTH || signature.length > MAX_SIGNATURE_BYTES) {
      return Optional.of("a signature longer than " + MAX_SIGNATURE_BYTES + " bytes or a key id longer than " + MAX_KEY_ID_LENGTH);
    }
    return Optional.empty();
  }

  /** A value from another rig as a log line may show it: quoted, cut short. */
  private static String shown(String value) {
    return value == null ? "(none)" : "'" + cut(value) + "'";
  }

  private static String cut(String value) {
    if (value == null) return "(none)";
    return value.length() > 64 ? value.substring(0, 64) + "..." : value;
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
        && Objects.equals(model, d.model) && Objects.equals(version, d.version) && partitions == d.partitions
        && replicasPerRegion == d.replicasPerRegion && Arrays.equals(regions, d.regions)
        && Arrays.equals(partitionBytes, d.partitionBytes) && Arrays.equals(partitionSha256, d.partitionSha256)
        && Arrays.equals(origins, d.origins) && Arrays.equals(descriptor, d.descriptor)
        && Objects.equals(signedBy, d.signedBy) && Arrays.equals(signature, d.signature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(model, version, partitions, replicasPerRegion, Arrays.hashCode(partitionSha256));
  }

  @Override
  public String toString() {
    String regionList = regions.length > 8 ? regions.length + " regions" : Arrays.toString(regions);
    return cut(model) + "@" + cut(version) + "{K=" + partitions + ", regions=" + regionList + ", replicas=" + replicasPerRegion + "}";
  }
}
