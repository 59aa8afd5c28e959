package io.rigserve.serving.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.serving.error.InvalidInput;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class DeployParametersTest {

  private static String refusal(Map<String, Object> parameters) {
    return assertThrows(InvalidInput.class, () -> DeployParameters.from(parameters)).getMessage();
  }

  @Test
  void noParametersAreTheDefaults() {
    assertEquals(DeployParameters.defaults(), DeployParameters.from(Map.of()));
    assertEquals(new DeployParameters(OptionalInt.of(1), List.of(), 2, 0), DeployParameters.defaults());
  }

  @Test
  void partitionsAreOneTo1024OrAuto() {
    assertEquals(OptionalInt.empty(), DeployParameters.from(Map.of("partitions", "auto")).partitions());
    assertEquals(OptionalInt.of(3), DeployParameters.from(Map.of("partitions", 3L)).partitions());
    assertEquals(OptionalInt.of(1024), DeployParameters.from(Map.of("partitions", "1024")).partitions());
    for (Object bad : new Object[] {0L, 1025L, "0", "1025", "9999", "three", 2.5, true}) {
      assertTrue(refusal(Map.of("partitions", bad)).contains("from 1 to 1024"), String.valueOf(bad));
    }
  }

  @Test
  void regionsAreACommaSeparatedListOfValidNames() {
    assertEquals(List.of("eu-west", "us1"), DeployParameters.from(Map.of("regions", " eu-west, ,us1 ")).regions());
    assertTrue(refusal(Map.of("regions", "EU")).contains("invalid region"));
    assertTrue(refusal(Map.of("regions", "-eu")).contains("invalid region"));
    assertTrue(refusal(Map.of("regions", 5L)).contains("comma-separated"));
  }

  @Test
  void replicasPerRegionAreOneTo64() {
    assertEquals(5, DeployParameters.from(Map.of("replicas_per_region", 5L)).replicasPerRegion());
    assertEquals(64, DeployParameters.from(Map.of("replicas_per_region", "64")).replicasPerRegion());
    for (Object bad : new Object[] {0L, 65L, "0", "65", "99", "x"}) {
      assertTrue(refusal(Map.of("replicas_per_region", bad)).contains("from 1 to 64"), String.valueOf(bad));
    }
  }

  @Test
  void hedgeAfterIsZeroToAMinuteOfMilliseconds() {
    assertEquals(250, DeployParameters.from(Map.of("hedge_after_ms", 250L)).hedgeAfterMillis());
    assertEquals(0, DeployParameters.from(Map.of("hedge_after_ms", 0L)).hedgeAfterMillis());
    for (Object bad : new Object[] {-1L, 60_001L, "250"}) {
      assertTrue(refusal(Map.of("hedge_after_ms", bad)).contains("from 0 to 60000"), String.valueOf(bad));
    }
  }
}
