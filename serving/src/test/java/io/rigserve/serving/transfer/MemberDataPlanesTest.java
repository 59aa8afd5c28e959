package io.rigserve.serving.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rigserve.cluster.topology.RigIdentity;
import io.rigserve.cluster.topology.RigStatus;
import io.rigserve.cluster.topology.RigView;
import io.rigserve.cluster.topology.TopologyView;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.Test;

class MemberDataPlanesTest {

  @Test
  void onlyBareUrlsOnAMembersOwnHostCountAndLeavingMembersDropOut() {
    TopologyView view = new TopologyView(address("10.0.0.1"), "eu", Instant.now(), List.of(
        member("10.0.0.1", RigStatus.UP, "https://10.0.0.1:7627"),
        member("10.0.0.2", RigStatus.UP, "https://169.254.169.254:80"),
        member("10.0.0.3", RigStatus.UP, "https://10.0.0.3:7627/latest/meta-data"),
        member("10.0.0.4", RigStatus.DOWN, "https://10.0.0.4:7627"),
        member("10.0.0.5", RigStatus.JOINING, "http://10.0.0.5:7627"),
        member("10.0.0.6", RigStatus.UP, "file://10.0.0.6:7627"),
        member("10.0.0.7", RigStatus.UP, "https://user@10.0.0.7:7627")),
        new TreeMap<>());
    assertEquals(Set.of("https://10.0.0.1:7627", "http://10.0.0.5:7627"), MemberDataPlanes.of(view));
  }

  private static RigView member(String host, RigStatus status, String dataPlane) {
    return new RigView(address(host), "eu", status, true,
        Optional.of(new RigIdentity("eu", "eu-a", 0, 0, 1L << 30, dataPlane)), Optional.empty());
  }

  private static Address address(String host) {
    return new Address("pekko", "rigserve", host, 7355);
  }
}
