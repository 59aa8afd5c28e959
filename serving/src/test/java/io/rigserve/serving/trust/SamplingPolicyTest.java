package io.rigserve.serving.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.settings.InvalidSetting;
import org.junit.jupiter.api.Test;

class SamplingPolicyTest {

  private static TrustSettings settings(String hocon) {
    return TrustSettings.from(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()));
  }

  @Test
  void aNewRigIsOnProbationThenSampledAtTheModelsRate() {
    SamplingPolicy policy = new SamplingPolicy(settings(""));
    assertEquals(0.25, policy.rate("m", 0, 0));
    assertEquals(0.25, policy.rate("m", 249, 0));
    assertEquals(0.018, policy.rate("m", 250, 0));
    assertFalse(policy.beforeAnswering("m"));
  }

  @Test
  void aRigWithAStrikeIsWatchedAtTheProbationRateUntilItDecays() {
    SamplingPolicy policy = new SamplingPolicy(settings(""));
    assertEquals(0.25, policy.rate("m", 10_000, 0.98));
    assertEquals(0.018, policy.rate("m", 10_000, 0));
  }

  @Test
  void aModelsOwnRateCountsAndOneVerifiesBeforeAnswering() {
    TrustSettings s = settings("rigserve.trust.model-rates = \"fraud=1.0, cheap=0.005\"\n"
        + "rigserve.trust.model-tolerances = \"resnet=1e-3/1e-2\"");
    SamplingPolicy policy = new SamplingPolicy(s);
    assertTrue(policy.beforeAnswering("fraud"));
    assertEquals(1.0, policy.rate("fraud", 10_000, 0));
    assertEquals(0.005, policy.rate("cheap", 10_000, 0));
    assertEquals(new Tolerance(1e-3, 1e-2), s.tolerance("resnet"));
    assertEquals(new Tolerance(1e-4, 1e-3), s.tolerance("other"));
  }

  @Test
  void aMalformedPerModelSettingStopsTheStartNamingIt() {
    InvalidSetting e = assertThrows(InvalidSetting.class, () -> settings("rigserve.trust.model-rates = \"fraud=2\""));
    assertTrue(e.getMessage().contains("rigserve.trust.model-rates"), e.getMessage());
    assertThrows(InvalidSetting.class, () -> settings("rigserve.trust.model-tolerances = \"m=1e-3\""));
    assertThrows(InvalidSetting.class, () -> settings("rigserve.trust.model-rates = \"=0.5\""));
  }
}
