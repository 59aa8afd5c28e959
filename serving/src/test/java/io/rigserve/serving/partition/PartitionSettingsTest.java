package io.rigserve.serving.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.settings.InvalidSetting;
import org.junit.jupiter.api.Test;

class PartitionSettingsTest {

  private static Config with(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void theShippedDefaultsAreTheOnesThePartitionerWasTunedWith() {
    assertEquals(PartitionSettings.defaults(), PartitionSettings.from(ConfigFactory.defaultReference()));
    assertEquals(new PartitionSettings(0.1, 1.2, 64L << 20), PartitionSettings.defaults());
  }

  @Test
  void overridesAreReadAndZeroOverheadAndToleranceAreAllowed() {
    PartitionSettings settings = PartitionSettings.from(
        with("rigserve.partition { balance-tolerance = 0, memory-factor = 2, memory-overhead = 0 }"));
    assertEquals(new PartitionSettings(0, 2, 0), settings);
    assertEquals(2000, settings.memoryFor(1000));
  }

  @Test
  void aMemoryFactorBelowOneIsRefusedNamingTheSettingTheValueAndWhatIsAccepted() {
    InvalidSetting e = assertThrows(InvalidSetting.class,
        () -> PartitionSettings.from(with("rigserve.partition.memory-factor = 0.5")));
    assertEquals("rigserve.partition.memory-factor", e.key());
    assertTrue(e.getMessage().contains("'0.5'") && e.getMessage().contains("at least 1"), e.getMessage());
  }

  @Test
  void aNegativeOverheadOrAToleranceAboveOneIsRefusedNamingTheSetting() {
    assertEquals("rigserve.partition.memory-overhead",
        assertThrows(InvalidSetting.class, () -> PartitionSettings.from(with("rigserve.partition.memory-overhead = -1"))).key());
    assertEquals("rigserve.partition.balance-tolerance",
        assertThrows(InvalidSetting.class, () -> PartitionSettings.from(with("rigserve.partition.balance-tolerance = 1.5"))).key());
    assertEquals("rigserve.partition.memory-factor",
        assertThrows(InvalidSetting.class, () -> new PartitionSettings(0.1, 0.9, 0)).key());
  }
}
