package io.rigserve.cluster.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RttMatrixTest {

  @Test
  void aPairIsTheMeanOfWhatTheRigsOfBothRegionsMeasuredToEachOther() {
    RttMatrix matrix = RttMatrix.of(Map.of(
        "rig-a1", new RegionRtts("us-east", new String[] {"eu-west", "sa-east"}, new double[] {80, 120}),
        "rig-a2", new RegionRtts("us-east", new String[] {"eu-west"}, new double[] {90}),
        "rig-b1", new RegionRtts("eu-west", new String[] {"us-east", "sa-east"}, new double[] {70, 190})));

    assertEquals(List.of("eu-west", "sa-east", "us-east"), matrix.regions());
    assertEquals(List.of(
        new RttMatrix.Pair("eu-west", "sa-east", 190, 1),
        new RttMatrix.Pair("eu-west", "us-east", 80, 3),
        new RttMatrix.Pair("sa-east", "us-east", 120, 1)), matrix.pairs());
  }

  @Test
  void valuesThatAreNoRttCountForNothing() {
    RttMatrix matrix = RttMatrix.of(Map.of(
        "rig-a1", new RegionRtts("us-east", new String[] {"eu-west", "sa-east", "us-east", null},
            new double[] {Double.NaN, -1, 5, 10})));

    assertEquals(List.of("us-east"), matrix.regions());
    assertEquals(List.of(), matrix.pairs());
  }
}
