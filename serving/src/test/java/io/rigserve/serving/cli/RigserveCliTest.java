package io.rigserve.serving.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestCluster;
import io.rigserve.serving.TestRig;
import io.rigserve.serving.TestRig.Reply;
import io.rigserve.serving.testmodels.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import picocli.CommandLine;

/**
 * The {@code rigserve} CLI against two real rigs with an admin token: each command runs in
 * process through picocli with its output captured, over real HTTP to the rigs' ports.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RigserveCliTest {

  private static final String ADMIN = "admin-token-4b8e1f";
  private static final String CAST_INPUT =
      "{\"inputs\":[{\"name\":\"ints\",\"shape\":[1,2],\"datatype\":\"INT32\",\"data\":[5,6]}]}";

  private Path secrets;
  private Path tokenFile;
  private TestRig rig;
  private TestRig operator;
  private TestRig other;

  @BeforeAll
  void start() throws Exception {
    secrets = Files.createTempDirectory("rigserve-cli");
    tokenFile = Files.writeString(secrets.resolve("admin-token"), ADMIN + "\n");
    String security = "rigserve.security.admin-token-file = \"" + tokenFile.toString().replace("\\", "/") + "\"\n";
    Path repository = Files.createTempDirectory("rigserve-cli-repo");
    ServedModels.writeRepository(repository);
    rig = TestRig.start(repository, security);
    operator = rig.withBearer(ADMIN);
    int seed = rig.rig.system().address().getPort().get();
    other = TestRig.start(Files.createTempDirectory("rigserve-cli-other"),
        security + "rigserve.node.seed-nodes = \"127.0.0.1:" + seed + "\"");
    TestCluster.await(Duration.ofSeconds(30), "both rigs are members", () -> {
      try {
        return operator.getManagement("/admin/cluster").json().get("members").size() == 2;
      } catch (Exception e) {
        return false;
      }
    });
  }

  @AfterAll
  void stop() throws Exception {
    other.close();
    rig.close();
  }

  @Test
  @Order(1)
  void statusPrintsThisRigAndEveryMemberAsATable() {
    Run status = admin("status");
    assertEquals(0, status.code, status.err);
    String self = rig.rig.system().address().toString();
    String otherAddress = other.rig.system().address().toString();
    assertTrue(status.out.startsWith("rig " + self + " in "), status.out);
    List<String> lines = status.out.lines().toList();
    assertTrue(lines.get(2).matches("ADDRESS +REGION +ZONE +STATUS +REACHABLE +RTT_MS +REPLICAS"), status.out);
    assertTrue(lines.stream().anyMatch(l -> l.startsWith(self + " ") && l.contains(" Up ") && l.contains(" yes ")), status.out);
    assertTrue(lines.stream().anyMatch(l -> l.startsWith(otherAddress + " ") && l.contains(" Up ")), status.out);
  }

  @Test
  @Order(1)
  void jsonPrintsTheServersAnswerAsItIs() throws Exception {
    Run status = admin("status", "--json");
    assertEquals(0, status.code, status.err);
    JsonNode printed = TestRig.JSON.readTree(status.out);
    assertEquals(rig.rig.system().address().toString(), printed.get("self").asText());
    assertEquals(2, printed.get("members").size(), status.out);

    Run regions = admin("regions", "--json");
    assertEquals(0, regions.code, regions.err);
    assertEquals(operator.getManagement("/admin/regions").json().get("regions").get(0).get("region"),
        TestRig.JSON.readTree(regions.out).get("regions").get(0).get("region"));
  }

  @Test
  @Order(1)
  void regionsPrintsEachRegionWithItsReachability() throws Exception {
    Run regions = admin("regions");
    assertEquals(0, regions.code, regions.err);
    String region = operator.getManagement("/admin/regions").json().get("region").asText();
    List<String> lines = regions.out.lines().toList();
    assertTrue(lines.get(0).matches("REGION +LOCAL +REACHABLE +MEMBERS +RTT_MS +SAMPLES +AGE_MS"), regions.out);
    assertTrue(lines.stream().anyMatch(l -> l.matches(region + " +yes +yes +2 .*")), regions.out);
  }

  @Test
  @Order(1)
  void modelsPrintsTheDeployedVersionsAndWhereTheirReplicasAre() {
    Run models = admin("models");
    assertEquals(0, models.code, models.err);
    List<String> lines = models.out.lines().toList();
    assertTrue(lines.get(0).matches("MODEL +VERSION +PARTITIONS +REGIONS +REPLICAS/REGION +READY"), models.out);
    for (String model : List.of(ServedModels.CAST, ServedModels.MLP, ServedModels.CONV)) {
      assertTrue(lines.stream().anyMatch(l -> l.matches(model + " +1 +1 +all +\\d+ +yes")), models.out);
      assertTrue(lines.stream().anyMatch(l -> l.startsWith(model + "@1/p0/r0 ") && l.contains("pekko://")), models.out);
    }
  }

  @Test
  @Order(1)
  void routingPrintsTheReplicasThisGatewaySentTo() throws Exception {
    Reply infer = rig.post("/v2/models/cast/infer", CAST_INPUT);
    assertEquals(200, infer.status(), infer.body());
    Run routing = admin("routing");
    assertEquals(0, routing.code, routing.err);
    List<String> lines = routing.out.lines().toList();
    assertTrue(lines.get(0).matches("REPLICA +REGION +SENT +SUCCEEDED +FAILED +IN_FLIGHT +EWMA_MS +BREAKER"), routing.out);
    assertTrue(lines.stream().anyMatch(l -> l.matches("cast@1/p0/r\\d+ +\\S+ +[1-9]\\d* +[1-9]\\d* +0 +0 +\\S+ +closed")), routing.out);
    assertTrue(lines.stream().anyMatch(l -> l.matches("cast +1 +0 +\\S+=[1-9]\\d* +cast@1/p0/r\\d+ in .*")), routing.out);
    assertTrue(routing.out.contains("failovers 0, not replayed 0"), routing.out);
  }

  @Test
  @Order(2)
  void anUploadedModelIsLoadedServedAndUnloadedWithTheAdminToken() throws Exception {
    Path model = Files.write(secrets.resolve("cast.onnx"), TestModels.castInt32ToFp64());
    Run upload = admin("upload", "viacli", "1", model.toString());
    assertEquals(0, upload.code, upload.err);
    assertTrue(upload.out.matches("uploaded viacli version 1: " + Files.size(model) + " bytes, sha256 [0-9a-f]{64}\\s*"), upload.out);
    assertEquals(503, rig.post("/v2/models/viacli/infer", CAST_INPUT).status(), "an upload alone does not serve");

    Run load = admin("load", "viacli", "--partitions", "1", "--replicas", "1");
    assertEquals(0, load.code, load.err);
    Reply infer = rig.post("/v2/models/viacli/infer", CAST_INPUT);
    assertEquals(200, infer.status(), infer.body());
    assertEquals("[5.0,6.0]", infer.json().get("outputs").get(0).get("data").toString());
    Run models = admin("models");
    assertTrue(models.out.lines().anyMatch(l -> l.matches("viacli +1 +1 +all +1 +yes")), models.out);

    Run unload = admin("unload", "viacli");
    assertEquals(0, unload.code, unload.err);
    assertEquals("unloaded viacli", unload.out.strip());
    assertEquals(503, rig.get("/v2/models/viacli/ready").status());
  }

  @Test
  @Order(2)
  void aRefusedCallPrintsTheRigsReasonAndExitsWithOne() {
    Run anonymous = run("models", "--url", managementUrl());
    assertEquals(1, anonymous.code, anonymous.out);
    assertTrue(anonymous.err.startsWith("rigserve: 401 from "), anonymous.err);
    assertTrue(anonymous.err.contains("admin token"), anonymous.err);
    assertEquals("", anonymous.out);

    Run load = run("load", "viacli", "--rest-url", rig.baseUrl());
    assertEquals(1, load.code, load.out);
    assertTrue(load.err.startsWith("rigserve: 401 from "), load.err);

    Run badParameter = admin("load", "cast", "--partitions", "lots");
    assertEquals(1, badParameter.code, badParameter.out);
    assertTrue(badParameter.err.contains("parameter 'partitions' must be"), badParameter.err);

    Run missing = admin("upload", "ghost", "1", secrets.resolve("no-such.onnx").toString());
    assertEquals(1, missing.code);
    assertTrue(missing.err.contains("not a file"), missing.err);

    Run nobody = run("status", "--url", "http://127.0.0.1:1");
    assertEquals(1, nobody.code);
    assertTrue(nobody.err.contains("cannot connect to http://127.0.0.1:1/admin/cluster"), nobody.err);

    assertEquals(2, run("load").code, "a usage error exits with 2");
  }

  @Test
  @Order(2)
  void drainOfAnAddressNoMemberHasPrintsTheRigsReason() {
    Run drain = admin("drain", "pekko://rigserve@127.0.0.1:1", "--wait", "PT5S");
    assertEquals(1, drain.code, drain.out);
    assertTrue(drain.err.startsWith("rigserve: 404 from "), drain.err);
    assertTrue(drain.err.contains("no member of the cluster has the address pekko://rigserve@127.0.0.1:1"), drain.err);
  }

  @Test
  @Order(3)
  void downRemovesAMemberFromTheCluster() throws Exception {
    String otherAddress = other.rig.system().address().toString();
    Run down = admin("down", otherAddress);
    assertEquals(0, down.code, down.err);
    TestCluster.await(Duration.ofSeconds(30), "the downed rig leaves the member list", () ->
        !admin("status").out.contains(otherAddress));
    Run unknown = admin("down", "pekko://rigserve@127.0.0.1:1");
    assertEquals(1, unknown.code, unknown.out);
    assertTrue(unknown.err.startsWith("rigserve: 404 from "), unknown.err);
  }

  private String managementUrl() {
    return "http://127.0.0.1:" + rig.rig.managementPort();
  }

  private Run admin(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--url", managementUrl(), "--rest-url", rig.baseUrl(), "--token-file", tokenFile.toString()));
    return run(all.toArray(String[]::new));
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = RigserveCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private record Run(int code, String out, String err) {}
}
