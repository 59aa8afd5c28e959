package io.rigserve.sharding.placement;

import io.rigserve.sharding.replica.ReplicaId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Assigns one region's replicas to its rigs. Rules, in order: replicas of one partition on
 * different rigs; never beyond a rig's memory budget; keep replicas where they are while those
 * rules hold (moving a replica reloads it); place the rest on the rig with the most free memory
 * share, preferring owners, then zones, that do not hold that partition yet (replicas of other
 * owners can check each other's answers; replicas in other zones survive a zone); then move at most
 * {@code maxMoves} replicas from the fullest rig to the emptiest when their load differs by more
 * than {@code imbalance} (bounded rebalancing when rigs join). What cannot be placed is listed
 * with the reason. Deterministic: the same input gives the same placement on any rig.
 *
 * <p>Replicas on rigs that are leaving (draining) move make-before-break: a stand-in under a new
 * replica number is placed on a usable rig, and the leaving replica stays where it is, serving,
 * until every usable replica of its partition is ready. A replica number is only a name: the
 * replicas kept are those of the partition on usable rigs, whatever their numbers.
 */
public final class PlacementPolicy {

  private final int maxMoves;
  private final double imbalance;

  public PlacementPolicy(int maxMoves, double imbalance) {
    this.maxMoves = maxMoves;
    this.imbalance = imbalance;
  }

  public Placement place(String region, List<Deployment> deployments, List<RigCapacity> rigs,
      Map<ReplicaId, String> current) {
    return place(region, deployments, rigs, current, Set.of(), Map.of());
  }

  /**
   * @param rigs the rigs that may take replicas
   * @param leaving addresses of rigs being drained: their replicas are replaced, then let go
   * @param readyAt the rig each replica reports itself ready on
   */
  public Placement place(String region, List<Deployment> deployments, List<RigCapacity> rigs,
      Map<ReplicaId, String> current, Set<String> leaving, Map<ReplicaId, String> readyAt) {
    Map<String, RigCapacity> byAddress = new HashMap<>();
    for (RigCapacity r : rigs) byAddress.put(r.address(), r);
    Map<String, Long> used = new HashMap<>();
    for (RigCapacity r : rigs) used.put(r.address(), 0L);
    SortedMap<ReplicaId, String> assigned = new TreeMap<>();
    SortedMap<ReplicaId, String> unplaced = new TreeMap<>();
    Map<ReplicaId, Long> need = new HashMap<>();

    List<Deployment> mine = deployments.stream().filter(d -> d.servesRegion(region))
        .sorted(Comparator.comparing(Deployment::key)).toList();
    // Keep what is valid first, so existing replicas do not move.
    List<ReplicaId> toPlace = new ArrayList<>();
    List<Handover> handovers = new ArrayList<>();
    for (Deployment d : mine) {
      int replicas = Math.min(d.replicasPerRegion(), rigs.size());
      for (int p = 0; p < d.partitions(); p++) {
        if (rigs.isEmpty()) {
          // A region's last rigs, draining, keep serving: nothing in the region could replace them.
          List<ReplicaId> last = held(current, d, p).stream().filter(id -> leaving.contains(current.get(id))).toList();
          last.forEach(id -> assigned.put(id, current.get(id)));
          if (last.isEmpty()) unplaced.put(new ReplicaId(d.model(), d.version(), p, 0), "region " + region + " has no rigs");
          continue;
        }
        long bytes = d.partitionBytes()[p];
        Set<String> holders = new HashSet<>();
        Set<Integer> numbers = new HashSet<>();
        List<ReplicaId> mineHere = new ArrayList<>();
        List<ReplicaId> gone = new ArrayList<>();
        for (ReplicaId id : held(current, d, p)) {
          String at = current.get(id);
          if (leaving.contains(at)) {
            gone.add(id);
            numbers.add(id.replica()); // its stand-in takes another number: both run for a while
          } else if (mineHere.size() < replicas && byAddress.containsKey(at) && !holders.contains(at) && fits(at, bytes, byAddress, used)) {
            assigned.put(id, at);
            need.put(id, bytes);
            holders.add(at);
            numbers.add(id.replica());
            used.merge(at, bytes, Long::sum);
            mineHere.add(id);
          }
        }
        for (int number = 0; mineHere.size() < replicas; number++) {
          if (numbers.add(number)) {
            ReplicaId id = new ReplicaId(d.model(), d.version(), p, number);
            need.put(id, bytes);
            toPlace.add(id);
            mineHere.add(id);
          }
        }
        if (!gone.isEmpty()) handovers.add(new Handover(List.copyOf(mineHere), List.copyOf(gone)));
      }
    }
    for (ReplicaId id : toPlace) {
      long bytes = need.get(id);
      Optional<String> rig = best(id, bytes, rigs, used, assigned);
      if (rig.isPresent()) {
        assigned.put(id, rig.get());
        used.merge(rig.get(), bytes, Long::sum);
      } else {
        unplaced.put(id, "capacity short in " + region + ": no rig without another replica of partition "
            + id.partition() + " has " + bytes + " bytes free (largest free: " + largestFree(rigs, used) + ")");
      }
    }
    rebalance(rigs, used, assigned, need);
    for (Handover h : handovers) {
      boolean replaced = h.staying().stream().allMatch(id -> assigned.containsKey(id) && assigned.get(id).equals(readyAt.get(id)));
      if (!replaced) h.gone().forEach(id -> assigned.put(id, current.get(id)));
    }
    return new Placement(assigned, unplaced);
  }

  /** One partition's replicas on usable rigs, and those on leaving rigs that they replace. */
  private record Handover(List<ReplicaId> staying, List<ReplicaId> gone) {}

  /** The replicas of partition {@code p} of {@code d} in {@code current}, by number. */
  private static List<ReplicaId> held(Map<ReplicaId, String> current, Deployment d, int p) {
    return current.keySet().stream()
        .filter(id -> id.model().equals(d.model()) && id.version().equals(d.version()) && id.partition() == p)
        .sorted()
        .toList();
  }

  private static boolean fits(String address, long bytes, Map<String, RigCapacity> rigs, Map<String, Long> used) {
    return used.get(address) + bytes <= rigs.get(address).budgetBytes();
  }

  private static Optional<String> best(ReplicaId id, long bytes, List<RigCapacity> rigs, Map<String, Long> used,
      Map<ReplicaId, String> assigned) {
    Set<String> holders = new HashSet<>();
    Set<String> zones = new HashSet<>();
    Set<String> owners = new HashSet<>();
    Map<String, RigCapacity> byAddress = new HashMap<>();
    for (RigCapacity r : rigs) byAddress.put(r.address(), r);
    assigned.forEach((other, at) -> {
      if (samePartition(id, other)) {
        holders.add(at);
        zones.add(byAddress.get(at).zone());
        owners.add(byAddress.get(at).owner());
      }
    });
    return rigs.stream()
        .filter(r -> !holders.contains(r.address()))
        .filter(r -> used.get(r.address()) + bytes <= r.budgetBytes())
        .min(Comparator.<RigCapacity>comparingInt(r -> owners.contains(r.owner()) ? 1 : 0)
            .thenComparingInt(r -> zones.contains(r.zone()) ? 1 : 0)
            .thenComparingDouble(r -> load(r, used))
            .thenComparing(RigCapacity::address))
        .map(RigCapacity::address);
  }

  /** Moves replicas from the fullest to the emptiest rig while that narrows a wide gap. */
  private void rebalance(List<RigCapacity> rigs, Map<String, Long> used, SortedMap<ReplicaId, String> assigned,
      Map<ReplicaId, Long> need) {
    for (int move = 0; move < maxMoves && rigs.size() > 1; move++) {
      RigCapacity fullest = rigs.stream().max(Comparator.<RigCapacity>comparingDouble(r -> load(r, used))
          .thenComparing(RigCapacity::address)).orElseThrow();
      RigCapacity emptiest = rigs.stream().min(Comparator.<RigCapacity>comparingDouble(r -> load(r, used))
          .thenComparing(RigCapacity::address)).orElseThrow();
      if (load(fullest, used) - load(emptiest, used) <= imbalance) return;
      Optional<ReplicaId> candidate = assigned.entrySet().stream()
          .filter(e -> e.getValue().equals(fullest.address()))
          .map(Map.Entry::getKey)
          .filter(id -> used.get(emptiest.address()) + need.get(id) <= emptiest.budgetBytes())
          .filter(id -> assigned.entrySet().stream().noneMatch(e -> e.getValue().equals(emptiest.address()) && samePartition(id, e.getKey())))
          .filter(id -> keepsOwners(id, fullest, emptiest, rigs, assigned))
          .filter(id -> load(emptiest, used, need.get(id)) < load(fullest, used))
          .findFirst();
      if (candidate.isEmpty()) return;
      ReplicaId id = candidate.get();
      assigned.put(id, emptiest.address());
      used.merge(fullest.address(), -need.get(id), Long::sum);
      used.merge(emptiest.address(), need.get(id), Long::sum);
    }
  }

  /** A move evens out load only where it does not put two replicas of one partition under one owner. */
  private static boolean keepsOwners(ReplicaId id, RigCapacity from, RigCapacity to, List<RigCapacity> rigs,
      Map<ReplicaId, String> assigned) {
    if (from.owner().equals(to.owner())) return true;
    Map<String, String> ownerOf = new HashMap<>();
    for (RigCapacity r : rigs) ownerOf.put(r.address(), r.owner());
    return assigned.entrySet().stream()
        .noneMatch(e -> samePartition(id, e.getKey()) && to.owner().equals(ownerOf.get(e.getValue())));
  }

  private static boolean samePartition(ReplicaId a, ReplicaId b) {
    return a.model().equals(b.model()) && a.version().equals(b.version()) && a.partition() == b.partition();
  }

  private static double load(RigCapacity r, Map<String, Long> used) {
    return load(r, used, 0);
  }

  private static double load(RigCapacity r, Map<String, Long> used, long extra) {
    return (double) (used.get(r.address()) + extra) / r.budgetBytes();
  }

  private static long largestFree(List<RigCapacity> rigs, Map<String, Long> used) {
    return rigs.stream().mapToLong(r -> r.budgetBytes() - used.get(r.address())).max().orElse(0);
  }
}
