package io.rigserve.cluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.settings.InvalidSetting;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SettingsTest {

  private static Config with(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  private static InvalidSetting refused(String overrides) {
    return assertThrows(InvalidSetting.class, () -> RigConfig.forRig(with(overrides)));
  }

  @Test
  void theDefaultsDescribeAWanFriendlyRig() {
    Config config = with("");
    ClusterSettings cluster = ClusterSettings.from(config);
    RigSettings rig = RigSettings.from(config);
    assertEquals("keep-majority", cluster.splitBrainStrategy());
    assertEquals(Duration.ofSeconds(10), cluster.stableAfter());
    assertEquals(Duration.ofSeconds(30), cluster.regionDownGrace());
    assertEquals(Duration.ofSeconds(2), cluster.restartDelay());
    assertEquals(2, cluster.remoteProbesPerRegion());
    assertEquals(0.3, cluster.ewmaWeight());
    assertEquals(7626, rig.managementPort());
    assertEquals(rig.host(), rig.bindHost());
    assertEquals(rig.port(), rig.bindPort());
  }

  @Test
  void rigConfigHandsTheDowningAndDetectorTimingsToPekko() {
    Config pekko = RigConfig.forRig(with("""
        rigserve.node { region = "eu-west", host = "203.0.113.7", bind-host = "0.0.0.0", port = 7355, bind-port = 17355 }
        rigserve.management.port = 9000
        rigserve.cluster.split-brain-resolver { active-strategy = keep-oldest, stable-after = 7s }
        rigserve.cluster.cross-region-failure-detector.acceptable-heartbeat-pause = 20s
        """));
    assertEquals("keep-oldest", pekko.getString("pekko.cluster.split-brain-resolver.active-strategy"));
    assertEquals(Duration.ofSeconds(7), pekko.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
    assertEquals(Duration.ofSeconds(20),
        pekko.getDuration("pekko.cluster.multi-data-center.failure-detector.acceptable-heartbeat-pause"));
    assertEquals("eu-west", pekko.getString("pekko.cluster.multi-data-center.self-data-center"));
    assertEquals("203.0.113.7", pekko.getString("pekko.remote.artery.canonical.hostname"));
    assertEquals("0.0.0.0", pekko.getString("pekko.remote.artery.bind.hostname"));
    assertEquals(17355, pekko.getInt("pekko.remote.artery.bind.port"));
    assertEquals(9000, pekko.getInt("pekko.management.http.port"));
    assertEquals("0.0.0.0", pekko.getString("pekko.management.http.bind-hostname"));
  }

  @Test
  void anUnknownSplitBrainStrategyFailsNamingTheSettingAndTheAcceptedValues() {
    InvalidSetting e = refused("rigserve.cluster.split-brain-resolver.active-strategy = keep-everyone");
    assertEquals("rigserve.cluster.split-brain-resolver.active-strategy", e.key());
    assertTrue(e.getMessage().contains("keep-everyone"), e.getMessage());
    assertTrue(e.getMessage().contains("keep-majority, keep-oldest, down-all"), e.getMessage());
  }

  @Test
  void aGraceShorterThanTheRegionsOwnSettlingTimeFails() {
    InvalidSetting e = refused("""
        rigserve.cluster.region-down-grace = 5s
        rigserve.cluster.split-brain-resolver.stable-after = 10s
        """);
    assertEquals("rigserve.cluster.region-down-grace", e.key());
    assertTrue(e.getMessage().contains("longer than"), e.getMessage());
  }

  @Test
  void anEwmaWeightOutsideZeroToOneFails() {
    assertEquals("rigserve.cluster.rtt.ewma-weight", refused("rigserve.cluster.rtt.ewma-weight = 0").key());
    assertEquals("rigserve.cluster.rtt.ewma-weight", refused("rigserve.cluster.rtt.ewma-weight = 1.5").key());
  }

  @Test
  void aDurationThatIsNotOneFails() {
    InvalidSetting e = refused("rigserve.cluster.rtt.probe-interval = often");
    assertEquals("rigserve.cluster.rtt.probe-interval", e.key());
    assertTrue(e.getMessage().contains("such as 500ms"), e.getMessage());
  }

  @Test
  void tooFewRemoteProbesFail() {
    assertEquals("rigserve.cluster.rtt.remote-probes-per-region",
        refused("rigserve.cluster.rtt.remote-probes-per-region = 0").key());
  }

  @Test
  void aManagementPortOutOfRangeFails() {
    InvalidSetting e = refused("rigserve.management.port = 70000");
    assertEquals("rigserve.management.port", e.key());
    assertTrue(e.getMessage().contains("0 to 65535"), e.getMessage());
  }

  @Test
  void aRegionNameWithCapitalsFails() {
    assertEquals("rigserve.node.region", refused("rigserve.node.region = \"US-East\"").key());
  }

  @Test
  void anInsecureSwitchThatIsNeitherOnNorOffFailsNamingTheSetting() {
    InvalidSetting e = refused("rigserve.security.insecure = maybe");
    assertEquals("rigserve.security.insecure", e.key());
    assertTrue(e.getMessage().contains("'maybe'") && e.getMessage().contains("on or off"), e.getMessage());
  }

  @Test
  void aTlsReloadIntervalOfZeroFailsNamingTheSetting() {
    InvalidSetting e = refused("rigserve.security.tls-reload-interval = 0s");
    assertEquals("rigserve.security.tls-reload-interval", e.key());
    assertTrue(e.getMessage().contains("greater than zero"), e.getMessage());
  }

  @Test
  void aMissingTlsFolderFailsNamingTheSetting() {
    InvalidSetting e = refused("rigserve.security.tls-dir = \"/nonexistent/rigserve-tls\"");
    assertEquals("rigserve.security.tls-dir", e.key());
    assertTrue(e.getMessage().contains("an existing folder"), e.getMessage());
  }

  @Test
  void aSeedWithoutPortFails() {
    InvalidSetting e = refused("rigserve.node.seed-nodes = \"10.0.0.2:7355, 10.0.0.1\"");
    assertEquals("rigserve.node.seed-nodes", e.key());
    assertTrue(e.getMessage().contains("'10.0.0.2:7355, 10.0.0.1'") && e.getMessage().contains("host:port"), e.getMessage());
  }

  @Test
  void seedsAreReadInOrder() {
    assertEquals(List.of(new RigSettings.SeedNode("10.0.0.2", 7355), new RigSettings.SeedNode("seed.example.org", 17355)),
        RigSettings.from(with("rigserve.node.seed-nodes = \"10.0.0.2:7355, seed.example.org:17355,\"")).seedNodes());
  }
}
