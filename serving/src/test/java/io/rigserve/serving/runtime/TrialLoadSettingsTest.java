package io.rigserve.serving.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.settings.InvalidSetting;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TrialLoadSettingsTest {

  private static Config with(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void theDefaultsBoundTheTrialToAMinuteAndEightGibOfAddressSpace() {
    TrialLoadSettings settings = TrialLoadSettings.from(ConfigFactory.defaultReference());
    assertEquals(TrialLoadSettings.defaults(), settings);
    assertEquals(Duration.ofSeconds(60), settings.timeout());
    assertEquals(8L << 30, settings.addressSpace());
  }

  @Test
  void overridesAreRead() {
    TrialLoadSettings settings = TrialLoadSettings.from(with(
        "rigserve.runtime.trial-load { timeout = 5s, heap = 128 MiB, direct-memory = 16 MiB, address-space = 0 }"));
    assertEquals(new TrialLoadSettings(Duration.ofSeconds(5), 128L << 20, 16L << 20, 0), settings);
  }

  @Test
  void boundsThatCannotWorkAreRefusedNamingTheSetting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrialLoadSettings.from(with("rigserve.runtime.trial-load.timeout = 0s")));
    assertTrue(e.getMessage().contains("rigserve.runtime.trial-load.timeout"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TrialLoadSettings.from(with("rigserve.runtime.trial-load.address-space = 512 MiB")));
    assertTrue(e.getMessage().contains("rigserve.runtime.trial-load.address-space"), e.getMessage());
  }

  @Test
  void aDirectMemoryThatIsNoSizeIsRefusedNamingTheSettingTheValueAndWhatIsAccepted() {
    InvalidSetting e = assertThrows(InvalidSetting.class,
        () -> TrialLoadSettings.from(with("rigserve.runtime.trial-load.direct-memory = plenty")));
    assertEquals("rigserve.runtime.trial-load.direct-memory", e.key());
    assertTrue(e.getMessage().contains("'plenty'") && e.getMessage().contains("0 or more"), e.getMessage());
  }

  @Test
  void aDirectMemoryOfZeroIsAcceptedAsTheBoundsAllowIt() {
    assertEquals(0, TrialLoadSettings.from(with("rigserve.runtime.trial-load.direct-memory = 0")).directMemory());
  }
}
