package io.rigserve.sharding.replica;

import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Identity of one replica of one partition of one model version; its entity id in Cluster
 * Sharding is {@code model@version/p{partition}/r{replica}}.
 */
public record ReplicaId(String model, String version, int partition, int replica)
    implements Comparable<ReplicaId> {

  private static final Comparator<ReplicaId> ORDER =
      Comparator.comparing(ReplicaId::model)
          .thenComparing(ReplicaId::version)
          .thenComparingInt(ReplicaId::partition)
          .thenComparingInt(ReplicaId::replica);

  private static final Pattern FORMAT = Pattern.compile("^(.+)@([^@/]+)/p(\\d+)/r(\\d+)$");

  public ReplicaId {
    if (model == null || model.isEmpty() || version == null || version.isEmpty()) {
      throw new IllegalArgumentException("model and version must be non-empty");
    }
    if (partition < 0 || replica < 0) {
      throw new IllegalArgumentException("partition and replica must be >= 0");
    }
  }

  public String entityId() {
    return model + "@" + version + "/p" + partition + "/r" + replica;
  }

  public static ReplicaId parse(String entityId) {
    Matcher m = FORMAT.matcher(entityId);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a replica id: " + entityId);
    }
    return new ReplicaId(m.group(1), m.group(2), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)));
  }

  /** Whether {@code entityId} names a replica ({@link #parse} would accept it). */
  public static boolean isValid(String entityId) {
    try {
      parse(entityId);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public int compareTo(ReplicaId other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return entityId();
  }
}
