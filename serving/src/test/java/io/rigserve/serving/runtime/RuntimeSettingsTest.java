package io.rigserve.serving.runtime;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class RuntimeSettingsTest {

  private static Config with(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void defaultsRunEachRequestOnOneThreadWithFullOptimization() {
    RuntimeSettings settings = RuntimeSettings.from(ConfigFactory.defaultReference());
    assertEquals(new RuntimeSettings(1, 1, "all"), settings);
    assertEquals(RuntimeSettings.defaults(), settings);
  }

  @Test
  void overridesAreRead() {
    RuntimeSettings settings =
        RuntimeSettings.from(
            with(
                "rigserve.runtime { intra-op-threads = 4, inter-op-threads = 2, optimization-level = basic }"));
    assertEquals(new RuntimeSettings(4, 2, "basic"), settings);
  }

  @Test
  void aThreadCountBelowOneIsRefusedNamingTheSetting() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RuntimeSettings.from(with("rigserve.runtime.intra-op-threads = 0")));
    assertTrue(e.getMessage().contains("rigserve.runtime.intra-op-threads"), e.getMessage());

    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RuntimeSettings.from(with("rigserve.runtime.inter-op-threads = -2")));
    assertTrue(e.getMessage().contains("rigserve.runtime.inter-op-threads"), e.getMessage());
  }

  @Test
  void aThreadCountThatIsNoNumberIsRefusedNamingTheSetting() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RuntimeSettings.from(with("rigserve.runtime.intra-op-threads = many")));
    assertTrue(e.getMessage().contains("rigserve.runtime.intra-op-threads"), e.getMessage());
    assertTrue(e.getMessage().contains("from 1 to 256"), e.getMessage());
  }

  @Test
  void anUnknownOptimizationLevelIsRefusedNamingTheSettingAndTheChoices() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RuntimeSettings.from(with("rigserve.runtime.optimization-level = fastest")));
    assertTrue(e.getMessage().contains("rigserve.runtime.optimization-level"), e.getMessage());
    assertTrue(e.getMessage().contains("extended"), e.getMessage());
    assertTrue(e.getMessage().contains("fastest"), e.getMessage());
  }
}
