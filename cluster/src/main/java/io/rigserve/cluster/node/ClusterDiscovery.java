package io.rigserve.cluster.node;

import com.typesafe.config.Config;
import io.rigserve.cluster.settings.InvalidSetting;
import io.rigserve.cluster.settings.SettingsReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a rig finds the other rigs of its region, from {@code rigserve.node.discovery}: the
 * configured {@code seed-nodes} only (the default), or Pekko Cluster Bootstrap over the
 * Kubernetes API, which finds the region's pods by label and joins (or, in the founding region,
 * forms) the cluster through them. With the Kubernetes API, {@code seed-nodes} name rigs of other
 * regions; when they are given, bootstrap never forms a new cluster, so a region that comes up
 * while the others are unreachable waits for them instead of splitting off.
 */
public record ClusterDiscovery(Method method, String appLabel, String portName, int requiredContactPoints, String podIp) {

  /** Values of {@code rigserve.node.discovery}. */
  public enum Method {
    SEED_NODES("seed-nodes"),
    KUBERNETES_API("kubernetes-api");

    final String setting;

    Method(String setting) {
      this.setting = setting;
    }
  }

  /** The probe route of Cluster Bootstrap: peers ask it, without credentials, who the members are. */
  public static final String BOOTSTRAP_ROUTE = "/bootstrap/seed-nodes";

  public static ClusterDiscovery from(Config config) {
    SettingsReader node = new SettingsReader(config, "rigserve.node");
    String method = node.oneOf("discovery", List.of(Method.SEED_NODES.setting, Method.KUBERNETES_API.setting));
    SettingsReader k8s = new SettingsReader(config, "rigserve.node.kubernetes");
    String label = k8s.string("app-label").trim();
    if (!label.matches("[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?")) {
      throw k8s.invalid("app-label", label, "a Kubernetes label value");
    }
    String port = k8s.string("management-port-name").trim();
    if (!port.matches("[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?")) {
      throw k8s.invalid("management-port-name", port, "a Kubernetes port name (at most 15 lower-case letters, digits, '-')");
    }
    int required = k8s.integer("required-contact-points", 1, 1000, "an integer from 1 to 1000");
    String podIp = k8s.string("pod-ip").trim();
    if (!podIp.isEmpty() && !podIp.matches("[0-9a-fA-F.:]+")) throw k8s.invalid("pod-ip", podIp, "an IP address or \"\"");
    return new ClusterDiscovery(
        method.equals(Method.KUBERNETES_API.setting) ? Method.KUBERNETES_API : Method.SEED_NODES, label, port, required, podIp);
  }

  public boolean bootstraps() {
    return method == Method.KUBERNETES_API;
  }

  /** Pekko settings for Cluster Bootstrap; none with seed nodes. {@code otherRegionSeeds}: seeds were configured. */
  Map<String, Object> toPekkoSettings(boolean otherRegionSeeds) {
    Map<String, Object> pekko = new HashMap<>();
    if (!bootstraps()) return pekko;
    String bootstrap = "pekko.management.cluster.bootstrap.";
    pekko.put(bootstrap + "contact-point-discovery.discovery-method", "kubernetes-api");
    pekko.put(bootstrap + "contact-point-discovery.service-name", appLabel);
    pekko.put(bootstrap + "contact-point-discovery.port-name", portName);
    pekko.put(bootstrap + "contact-point-discovery.required-contact-point-nr", requiredContactPoints);
    pekko.put(bootstrap + "new-cluster-enabled", !otherRegionSeeds);
    pekko.put("pekko.discovery.kubernetes-api.pod-label-selector", "app=%s");
    // Discovery answers with pod IPs; bootstrap recognises itself among them by its management
    // host, so that host is the pod's IP while Artery keeps the name other regions dial.
    pekko.put("pekko.discovery.kubernetes-api.use-raw-ip", true);
    if (!podIp.isEmpty()) pekko.put("pekko.management.http.hostname", podIp);
    return pekko;
  }
}
