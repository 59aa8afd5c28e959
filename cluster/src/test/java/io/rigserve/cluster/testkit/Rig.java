package io.rigserve.cluster.testkit;

import io.rigserve.cluster.RestartingRig;
import io.rigserve.cluster.RigCluster;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/** One rig of a {@link ClusterHarness}: its current actor system and how to reach it. */
public final class Rig {

  private final String name;
  private final ClusterHarness.Region region;
  private volatile RestartingRig restarting;
  private volatile int port;
  private volatile int managementPort;
  private volatile boolean crashed;

  Rig(String name, ClusterHarness.Region region) {
    this.name = name;
    this.region = region;
  }

  void started(RestartingRig restarting, int port) {
    this.restarting = restarting;
    this.port = port;
  }

  public String name() {
    return name;
  }

  public ClusterHarness.Region region() {
    return region;
  }

  /** The Artery port; the same across restarts. */
  public int port() {
    return port;
  }

  public RigCluster cluster() {
    return restarting.current();
  }

  public ActorSystem<?> system() {
    return cluster().system();
  }

  public RestartingRig restarting() {
    return restarting;
  }

  public Address address() {
    return Cluster.get(system()).selfMember().address();
  }

  /** The management HTTP port of the current actor system; 0 when management is off. */
  public int managementPort() {
    return managementPort;
  }

  void managementPort(int port) {
    this.managementPort = port;
  }

  public boolean isCrashed() {
    return crashed;
  }

  void markCrashed() {
    crashed = true;
  }

  public boolean isTerminated() {
    return system().whenTerminated().isCompleted();
  }

  public boolean isUp() {
    return !isTerminated() && Cluster.get(system()).selfMember().status() == MemberStatus.up();
  }

  /** Addresses of the members this rig currently sees, in any status. */
  public Set<Address> seenMembers() {
    return members().map(Member::address).collect(Collectors.toSet());
  }

  /** Addresses of the members this rig currently sees as Up. */
  public Set<Address> seenUpMembers() {
    return members().filter(m -> m.status() == MemberStatus.up()).map(Member::address).collect(Collectors.toSet());
  }

  private Stream<Member> members() {
    Iterable<Member> members = Cluster.get(system()).state().getMembers();
    return StreamSupport.stream(members.spliterator(), false);
  }

  @Override
  public String toString() {
    return name + "@" + port;
  }
}
