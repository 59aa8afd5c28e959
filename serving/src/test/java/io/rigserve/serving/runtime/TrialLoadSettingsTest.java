package io.rigserve.serving.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
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
}
