package io.rigserve.cluster.node;

import io.rigserve.cluster.settings.InvalidSetting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class ClusterDiscoveryTest {

  private static Config rig(String hocon) {
    return RigConfig.forRig(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()));
  }

  @Test
  void seedNodesStayTheDefaultAndAddNoBootstrapSettings() {
    Config config = rig("rigserve.node.host = \"10.0.0.5\"");
    assertFalse(ClusterDiscovery.from(config).bootstraps());
    assertEquals("10.0.0.5", config.getString("pekko.management.http.hostname"));
    assertEquals("pekko.discovery",
        config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
  }

  @Test
  void kubernetesDiscoveryFindsTheRegionsPodsByLabelAndKnowsItselfByItsPodIp() {
    Config founding = rig("rigserve.node { host = \"rigserve-0.rigserve.ns.svc.eu.example.org\", discovery = kubernetes-api,"
        + " kubernetes { pod-ip = \"10.1.2.3\", required-contact-points = 3 } }");
    assertTrue(ClusterDiscovery.from(founding).bootstraps());
    String bootstrap = "pekko.management.cluster.bootstrap.";
    assertEquals("kubernetes-api", founding.getString(bootstrap + "contact-point-discovery.discovery-method"));
    assertEquals("rigserve", founding.getString(bootstrap + "contact-point-discovery.service-name"));
    assertEquals("management", founding.getString(bootstrap + "contact-point-discovery.port-name"));
    assertEquals(3, founding.getInt(bootstrap + "contact-point-discovery.required-contact-point-nr"));
    assertEquals("app=%s", founding.getString("pekko.discovery.kubernetes-api.pod-label-selector"));
    assertTrue(founding.getBoolean("pekko.discovery.kubernetes-api.use-raw-ip"));
    assertEquals("10.1.2.3", founding.getString("pekko.management.http.hostname"), "bootstrap recognises itself by IP");
    assertEquals("rigserve-0.rigserve.ns.svc.eu.example.org", founding.getString("pekko.remote.artery.canonical.hostname"));
    assertTrue(founding.getBoolean(bootstrap + "new-cluster-enabled"), "a region without other seeds may found the cluster");

    Config joining = rig("rigserve.node { discovery = kubernetes-api, seed-nodes = \"us.example.org:7355\" }");
    assertFalse(joining.getBoolean(bootstrap + "new-cluster-enabled"), "a region with seeds elsewhere never splits off");
  }

  @Test
  void anUnknownDiscoveryOrBadLabelStopsTheStartNamingTheSetting() {
    InvalidSetting method = assertThrows(InvalidSetting.class, () -> rig("rigserve.node.discovery = dns"));
    assertTrue(method.getMessage().contains("rigserve.node.discovery"), method.getMessage());
    InvalidSetting label = assertThrows(InvalidSetting.class, () -> rig("rigserve.node.kubernetes.app-label = \"a b\""));
    assertTrue(label.getMessage().contains("rigserve.node.kubernetes.app-label"), label.getMessage());
  }
}
