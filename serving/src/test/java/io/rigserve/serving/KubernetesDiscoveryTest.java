package io.rigserve.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rigserve.cluster.testkit.TestCertificates;
import io.rigserve.serving.TestRig.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A rig with {@code rigserve.node.discovery = kubernetes-api} outside Kubernetes: Cluster
 * Bootstrap runs (and finds no pods), the rig still joins the seeds of other regions, and its
 * management port opens Cluster Bootstrap's probe route, and only that, without the admin token.
 */
class KubernetesDiscoveryTest {

  @Test
  void aRigDiscoveringItsRegionThroughKubernetesJoinsItsSeedsAndOpensOnlyTheBootstrapProbe() throws Exception {
    Path dir = Files.createTempDirectory("rigserve-k8s");
    Path token = Files.writeString(dir.resolve("admin-token"), "k8s-admin-7c1d\n");
    String security = "rigserve.security.admin-token-file = \"" + token.toString().replace("\\", "/") + "\"\n";
    // The service account files a pod would have; there is no Kubernetes API to answer here.
    Path ca = TestCertificates.make(dir.resolve("ca"), "pod").resolve("ca.pem");
    String serviceAccount = "pekko.discovery.kubernetes-api { api-ca-path = \"" + ca + "\", api-token-path = \""
        + Files.writeString(dir.resolve("token"), "none") + "\", pod-namespace-path = \""
        + Files.writeString(dir.resolve("namespace"), "rigserve") + "\" }\n";
    try (TestRig founder = TestRig.start(Files.createTempDirectory("rigserve-k8s-a"), security)) {
      int seed = founder.rig.system().address().getPort().get();
      try (TestRig pod = TestRig.start(Files.createTempDirectory("rigserve-k8s-b"), security + serviceAccount
          + "rigserve.node { discovery = kubernetes-api, seed-nodes = \"127.0.0.1:" + seed + "\" }")) {
        String podAddress = pod.rig.system().address().toString();
        String founderAddress = founder.rig.system().address().toString();

        Reply probe = pod.getManagement("/bootstrap/seed-nodes");
        assertEquals(200, probe.status(), probe.body());
        assertEquals(podAddress, probe.json().get("selfNode").asText());
        List<String> members = new ArrayList<>();
        for (JsonNode n : probe.json().get("seedNodes")) members.add(n.get("node").asText());
        assertTrue(members.contains(founderAddress) && members.contains(podAddress), probe.body());

        assertEquals(401, pod.getManagement("/cluster/members").status(), "everything else still needs the token");
        assertEquals(401, pod.getManagement("/admin/cluster").status());
        assertEquals(401, founder.getManagement("/bootstrap/seed-nodes").status(),
            "a rig that does not bootstrap keeps the route behind the token");
        assertEquals(2, pod.withBearer("k8s-admin-7c1d").getManagement("/admin/cluster").json().get("members").size());
      }
    }
  }

  @Test
  void aRigSetToKubernetesDiscoveryOutsideAPodRefusesToStartAndSaysWhy() throws Exception {
    Path nowhere = Files.createTempDirectory("rigserve-no-pod").resolve("absent");
    Throwable refused = assertThrows(Throwable.class, () -> TestRig.start(Files.createTempDirectory("rigserve-k8s-c"),
        "rigserve.node.discovery = kubernetes-api\n"
            + "pekko.discovery.kubernetes-api { api-ca-path = \"" + nowhere + "\", api-token-path = \"" + nowhere
            + "\", pod-namespace-path = \"" + nowhere + "\" }\n"));
    StringBuilder messages = new StringBuilder();
    for (Throwable t = refused; t != null; t = t.getCause()) messages.append(t.getMessage()).append('\n');
    assertTrue(messages.toString().contains("Kubernetes API discovery cannot start"), messages.toString());
  }
}
