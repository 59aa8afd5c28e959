package io.rigserve.serving.fuzz;

import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The management port under fuzz: Pekko Management's cluster routes and rigserve's admin routes
 * with hostile paths, methods, form and JSON bodies, including membership operations aimed at
 * this very rig. Whatever arrives, the rig stays a member and keeps serving.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManagementFuzzTest {

  private TestRig rig;
  private RigWatch watch;
  private String self;

  @BeforeAll
  void start() throws Exception {
    Path repository = Files.createTempDirectory("rigserve-fuzz-management");
    ServedModels.writeRepository(repository);
    rig = TestRig.start(repository, "");
    watch = RigWatch.of(rig);
    self = rig.rig.system().address().toString();
  }

  @AfterAll
  void stop() throws Exception {
    watch.close();
    rig.close();
  }

  @Test
  void hostileManagementRequestsNeverGet5xxNorHangAndNeverTakeTheRigOutOfTheCluster() throws Exception {
    int port = rig.rig.managementPort();
    FuzzRun.of("management").run((i, in, findings) -> {
      String address = in.pick(self, self, self.replace("@", "@@"), "pekko://other@127.0.0.1:1", in.string(),
          self + "/" + in.string(), "pekko://" + in.string());
      String[] route = route(in, address);
      String method = in.chance(0.5) ? route[1] : in.pick("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE",
          "FOO", "get");
      byte[] body;
      String contentType;
      switch (in.below(4)) {
        case 0 -> {
          body = ("operation=" + form(in.pick("Down", "Leave", "Join", "down", "", in.string())) + "&address=" + form(address))
              .getBytes(StandardCharsets.UTF_8);
          contentType = "application/x-www-form-urlencoded";
        }
        case 1 -> {
          body = JsonMutations.mutate("{\"operation\":\"Down\",\"address\":\"" + self + "\"}", in).body();
          contentType = "application/json";
        }
        case 2 -> {
          body = in.mutate(("operation=Leave&address=" + form(self)).getBytes(StandardCharsets.UTF_8));
          contentType = in.pick("application/x-www-form-urlencoded", "multipart/form-data; boundary=--x", "text/plain");
        }
        default -> {
          body = in.bytes();
          contentType = "application/octet-stream";
        }
      }
      RawRequest request = new RawRequest(method, route[0], body).header("Content-Type", contentType);
      if (in.chance(0.15)) request.withHostileHeaders(in);
      RawHttp.Answer answer = RawHttp.exchange(port, request.toBytes(), FuzzRun.PATIENCE);
      HttpVerdict.judge(answer, route[2], i, request.toString(), findings, false, false);
    }, 250, watch::assertSameAnswers);
  }

  /** {target, its own method, category}. */
  private static String[] route(HostileInputs in, String address) {
    String seg = in.segment();
    String encoded = in.chance(0.5) ? form(address) : address;
    return switch (in.below(12)) {
      case 0 -> new String[] {"/cluster/members" + in.pick("", "/", "?" + seg), "GET", "/cluster/members"};
      case 1 -> new String[] {"/cluster/members", "POST", "POST /cluster/members"};
      case 2 -> new String[] {"/cluster/members/" + encoded, "PUT", "PUT /cluster/members/{address}"};
      case 3 -> new String[] {"/cluster/members/" + encoded, "DELETE", "DELETE /cluster/members/{address}"};
      case 4 -> new String[] {"/cluster/members/" + (in.chance(0.5) ? encoded : seg), "GET", "GET /cluster/members/{address}"};
      case 5 -> new String[] {"/cluster/shards/" + in.pick("PartitionReplica", seg), "GET", "/cluster/shards/{name}"};
      case 6 -> new String[] {in.pick("/ready", "/alive", "/health", "/ready/" + seg, "/alive?" + seg), "GET", "readiness"};
      case 7 -> new String[] {"/admin/" + in.pick("cluster", "regions", "models", "routing", seg) + in.pick("", "/", "/" + seg, "?"
          + seg), "GET", "/admin/*"};
      case 8 -> new String[] {"/cluster/domain-events" + in.pick("", "?type=" + seg, "?type=MemberUp"), "GET", "domain events"};
      case 9 -> new String[] {"/" + seg + in.pick("", "/" + in.segment()), "GET", "any path"};
      case 10 -> new String[] {in.pick("*", "//cluster/members", "/cluster/../admin/cluster", "/cluster/members/" + "%".repeat(3),
          "/" + "x/".repeat(3000)), "GET", "request target forms"};
      default -> new String[] {"/cluster/members/" + encoded + "/" + seg, in.pick("PUT", "GET"), "/cluster/members/{address}/..."};
    };
  }

  private static String form(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
