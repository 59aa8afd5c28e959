package io.rigserve.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of the deploy files without Docker or Kubernetes: the manifests parse, and
 * every file names only settings, environment variables and ports the rig really has.
 */
class DeployFilesTest {

  private static final Path DEPLOY = Path.of(System.getProperty("user.dir")).getParent().resolve("deploy");
  private static final Pattern RIGSERVE_VAR = Pattern.compile("RIGSERVE_[A-Z0-9_]+");
  private static final Config DEFAULTS = ConfigFactory.defaultReference(); // the shipped defaults, not the tests' free ports

  @Test
  void theKubernetesManifestsParseAndNameOnlyExistingSettings() throws Exception {
    Map<String, JsonNode> byKind = new HashMap<>();
    Set<String> named = new TreeSet<>();
    try (Stream<Path> files = Files.list(DEPLOY.resolve("k8s"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (JsonNode doc : documents(file)) {
          assertTrue(doc.hasNonNull("apiVersion") && doc.hasNonNull("kind"), file + ": " + doc);
          if (!doc.get("kind").asText().equals("Kustomization")) {
            assertTrue(doc.path("metadata").hasNonNull("name"), file + " has a resource without a name");
            assertEquals("rigserve", doc.path("metadata").path("labels").path("app").asText(), file + ": " + doc.get("kind"));
          }
          byKind.put(doc.get("kind").asText(), doc);
        }
        named.addAll(variables(Files.readString(file)));
      }
    }
    assertEquals(Set.of(), missing(named), "variables the rig does not read");
    assertTrue(named.containsAll(Set.of("RIGSERVE_TLS_DIR", "RIGSERVE_ADMIN_TOKEN_FILE", "RIGSERVE_API_KEYS_FILE",
        "RIGSERVE_SEED_NODES", "RIGSERVE_DISCOVERY", "RIGSERVE_REGION", "RIGSERVE_K8S_POD_IP")), named.toString());

    JsonNode config = byKind.get("ConfigMap").path("data");
    assertEquals("kubernetes-api", config.path("RIGSERVE_DISCOVERY").asText());
    JsonNode pod = byKind.get("StatefulSet").path("spec").path("template");
    assertEquals(DEFAULTS.getString("rigserve.node.kubernetes.app-label"), pod.path("metadata").path("labels").path("app").asText(),
        "bootstrap finds the pods by this label");
    JsonNode rig = pod.path("spec").path("containers").get(0);
    Map<String, Integer> ports = new HashMap<>();
    rig.path("ports").forEach(p -> ports.put(p.get("name").asText(), p.get("containerPort").asInt()));
    assertEquals(rigPorts(), new TreeSet<>(ports.values()));
    String managementPort = DEFAULTS.getString("rigserve.node.kubernetes.management-port-name");
    assertEquals(DEFAULTS.getInt("rigserve.management.port"), ports.get(managementPort), "bootstrap probes this port name");
    assertEquals("/alive", rig.path("livenessProbe").path("httpGet").path("path").asText());
    assertEquals("/ready", rig.path("readinessProbe").path("httpGet").path("path").asText());
    assertEquals(managementPort, rig.path("readinessProbe").path("httpGet").path("port").asText());
    String preStop = rig.path("lifecycle").path("preStop").path("exec").path("command").toString();
    assertTrue(preStop.contains("rigserve drain") && preStop.contains("--token-file"), preStop);

    // Every secret file the rig is told about lies under a mounted Secret (or the folder linked to one).
    Map<String, String> env = new HashMap<>();
    rig.path("env").forEach(e -> env.put(e.get("name").asText(), e.path("value").asText()));
    List<String> mounts = new ArrayList<>();
    rig.path("volumeMounts").forEach(m -> mounts.add(m.get("mountPath").asText()));
    for (String v : List.of("RIGSERVE_TLS_DIR", "RIGSERVE_ADMIN_TOKEN_FILE", "RIGSERVE_API_KEYS_FILE")) {
      assertTrue(mounts.stream().anyMatch(m -> env.get(v).startsWith(m)), v + "=" + env.get(v) + " is not mounted: " + mounts);
    }
    assertTrue(pod.path("spec").path("securityContext").path("runAsNonRoot").asBoolean());
    assertEquals("None", byKind.get("Service").path("spec").path("clusterIP").asText(), "the Service is headless");
    Map<String, Integer> servicePorts = new HashMap<>();
    byKind.get("Service").path("spec").path("ports").forEach(p -> servicePorts.put(p.get("name").asText(), p.get("port").asInt()));
    assertEquals(ports, servicePorts, "the Service names the pods' ports alike");
    assertEquals(DEFAULTS.getInt("rigserve.metrics.port"), ports.get("metrics"), "Prometheus scrapes this port name");
    assertTrue(byKind.get("Role").toString().contains("\"pods\"") && byKind.get("Role").toString().contains("\"list\""));
  }

  @Test
  void theDockerfileExposesTheRigsPortsRunsAsAUserAndNamesOnlyExistingSettings() throws Exception {
    String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
    Matcher expose = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(dockerfile);
    assertTrue(expose.find(), "no EXPOSE");
    Set<Integer> exposed = new TreeSet<>();
    for (String p : expose.group(1).trim().split("\\s+")) exposed.add(Integer.parseInt(p));
    assertEquals(rigPorts(), exposed);
    Matcher user = Pattern.compile("(?m)^USER (\\S+)$").matcher(dockerfile);
    assertTrue(user.find() && !user.group(1).startsWith("root") && !user.group(1).startsWith("0"), "the rig runs as a user");
    assertTrue(dockerfile.contains("VOLUME [\"/var/lib/rigserve\"]"));
    Set<String> named = variables(dockerfile);
    assertFalse(named.isEmpty());
    assertEquals(Set.of(), missing(named), "variables the rig does not read");
  }

  @Test
  void theSystemdUnitIsSandboxedAndVerifies() throws Exception {
    Path unit = DEPLOY.resolve("systemd").resolve("rigserve.service");
    String text = Files.readString(unit);
    for (String line : List.of("NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
        "StateDirectory=rigserve", "DynamicUser=yes", "CapabilityBoundingSet=")) {
      assertTrue(text.lines().anyMatch(l -> l.equals(line)), "missing " + line);
    }
    assertEquals(Set.of(), missing(variables(text)), "variables the rig does not read");

    Path analyze = Stream.of("/usr/bin/systemd-analyze", "/bin/systemd-analyze").map(Path::of)
        .filter(Files::isExecutable).findFirst().orElse(null);
    assumeTrue(analyze != null, "systemd-analyze is not installed (Debian package: systemd)");
    Process verify = new ProcessBuilder(analyze.toString(), "verify", unit.toString()).redirectErrorStream(true).start();
    assertTrue(verify.waitFor(60, TimeUnit.SECONDS), "systemd-analyze verify did not finish");
    String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, verify.exitValue(), output);
    assertFalse(output.contains("rigserve.service:"), "systemd-analyze complains about the unit: " + output);
  }

  /** The ports a rig listens on by default: Artery, management, data plane, REST, gRPC, metrics. */
  private static Set<Integer> rigPorts() {
    return new TreeSet<>(List.of(DEFAULTS.getInt("rigserve.node.port"), DEFAULTS.getInt("rigserve.management.port"),
        DEFAULTS.getInt("rigserve.node.data-plane-port"), DEFAULTS.getInt("rigserve.serving.http-port"),
        DEFAULTS.getInt("rigserve.serving.grpc-port"), DEFAULTS.getInt("rigserve.metrics.port")));
  }

  private static Set<String> variables(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = RIGSERVE_VAR.matcher(text);
    while (m.find()) names.add(m.group());
    return names;
  }

  /** The names no reference.conf on the class path reads as an override ({@code ${?NAME}}). */
  private static Set<String> missing(Set<String> names) throws IOException {
    StringBuilder all = new StringBuilder();
    for (URL url : Collections.list(DeployFilesTest.class.getClassLoader().getResources("reference.conf"))) {
      try (InputStream in = url.openStream()) {
        all.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    Set<String> missing = new TreeSet<>();
    for (String n : names) if (!all.toString().contains("${?" + n + "}")) missing.add(n);
    return missing;
  }

  private static List<JsonNode> documents(Path file) throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = yaml.getFactory().createParser(file.toFile())) {
      var it = yaml.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isEmpty()) docs.add(doc);
      }
    }
    assertFalse(docs.isEmpty(), file + " holds no document");
    return docs;
  }
}
