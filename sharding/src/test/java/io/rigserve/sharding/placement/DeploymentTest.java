package io.rigserve.sharding.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A deployment comes from any member: each rig checks it before placing or loading anything. */
class DeploymentTest {

  private static final String SHA = "a".repeat(64);

  @Test
  void aDeploymentLikeOneALoadRequestMakesIsValid() {
    assertEquals(Optional.empty(), deployment("resnet-50.v2", "12", 2, new String[] {"eu-west", "us-east"}, 3).validate());
  }

  @Test
  void namesThatCouldLeaveTheRepositoryFolderAreRefused() {
    for (String name : new String[] {"../etc", "a/b", ".hidden", "", "x".repeat(129), "a\u0000b"}) {
      String why = deployment(name, "1", 1, new String[0], 1).validate().orElseThrow();
      assertTrue(why.contains("not a valid name"), why);
      assertTrue(why.length() < 200, "the refusal echoes the whole name");
    }
    assertTrue(deployment("m", "../1", 1, new String[0], 1).validate().orElseThrow().contains("not a number"));
    assertTrue(deployment("m", "1", 1, new String[] {"EU/../x"}, 1).validate().orElseThrow().contains("region"));
    assertTrue(deployment("m", "1", 1, new String[] {"eu", "eu"}, 1).validate().orElseThrow().contains("repeated"));
  }

  @Test
  void partitionsAndReplicasBeyondWhatALoadRequestAllowsAreRefused() {
    assertTrue(deployment("m", "1", 0, new String[0], 1).validate().isPresent());
    assertTrue(deployment("m", "1", 1025, new String[0], 1).validate().orElseThrow().contains("1025 partitions"));
    assertTrue(deployment("m", "1", 1, new String[0], 0).validate().isPresent());
    assertTrue(deployment("m", "1", 1, new String[0], 65).validate().orElseThrow().contains("65 replicas"));
  }

  @Test
  void sizesDigestsAndOriginsMustBeOnePerPartitionAndWellFormed() {
    assertTrue(new Deployment("m", "1", 2, new String[0], 1, new long[] {1}, new String[] {SHA, SHA}, new String[0])
        .validate().orElseThrow().contains("1 sizes and 2 digests"));
    assertTrue(new Deployment("m", "1", 1, new String[0], 1, new long[] {-5}, new String[] {SHA}, new String[0])
        .validate().orElseThrow().contains("declares -5 bytes"));
    assertTrue(new Deployment("m", "1", 1, new String[0], 1, new long[] {5}, new String[] {"../x"}, new String[0])
        .validate().orElseThrow().contains("digest"));
    assertTrue(new Deployment("m", "1", 1, new String[0], 1, new long[] {5}, new String[] {SHA}, new String[] {null})
        .validate().orElseThrow().contains("origin"));
    assertTrue(new Deployment("m", "1", 1, new String[0], 1, new long[] {5}, new String[] {SHA}, new String[0],
        new byte[(256 << 10) + 1]).validate().orElseThrow().contains("descriptor"));
  }

  @Test
  void missingPartsFromTheWireNeverThrowWhileDecodingAndAreRefused() {
    Deployment d = new Deployment(null, null, 1, null, 1, null, null, null, null);
    assertTrue(d.validate().isPresent());
    assertEquals(0, d.origins().length);
  }

  private static Deployment deployment(String name, String version, int k, String[] regions, int replicas) {
    long[] sizes = new long[Math.max(k, 0)];
    String[] shas = new String[Math.max(k, 0)];
    Arrays.fill(sizes, 100);
    Arrays.fill(shas, SHA);
    return new Deployment(name, version, k, regions, replicas, sizes, shas, new String[] {"https://10.0.0.1:7627"});
  }
}
