package io.rigserve.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.rigserve.serving.TestRig.Reply;
import io.rigserve.serving.testmodels.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard at the management port's {@code /}, opened in headless Chromium against a
 * three-region cluster: every region and rig is drawn, a measured RTT on the line of every pair of
 * regions (the one this rig is in neither of published by their rigs), the model's replicas per
 * region are shown, and a rig killed without leaving turns red while the page follows the live event stream.
 */
class DashboardTest {

  private static final String ADMIN = "dashboard-admin-2f9a";
  private static final List<String> REGIONS = List.of("us-east", "eu-west", "sa-east");

  @Test
  @Timeout(120)
  void everyRegionRigAndRttBetweenTwoRegionsIsDrawnAndAKilledRigTurnsRed() throws Exception {
    Optional<Path> chromium = HeadlessChromium.binary();
    if (chromium.isEmpty()) {
      if ("true".equals(System.getenv("CI"))) fail("chromium is not installed: .ci/run installs Debian's chromium");
      Assumptions.abort("chromium is not installed (apt-get install chromium): the dashboard is not checked in a browser");
    }
    Path token = Files.writeString(Files.createTempDirectory("rigserve-dashboard").resolve("admin-token"), ADMIN);
    String config = "rigserve.security.admin-token-file = \"" + token.toString().replace("\\", "/") + "\"\n"
        + "rigserve.dashboard.events-interval = 300ms\n";
    try (TestCluster cluster = new TestCluster()) {
      TestRig gateway = cluster.start("us-east-0", "us-east", 40.7, -74.0, "512 MiB", config).withBearer(ADMIN);
      cluster.start("us-east-1", "us-east", 39.0, -77.5, "512 MiB", config);
      cluster.start("eu-west-0", "eu-west", 53.3, -6.3, "512 MiB", config);
      cluster.start("sa-east-0", "sa-east", -23.5, -46.6, "512 MiB", config);
      List<String> rigs = List.of("us-east-0", "us-east-1", "eu-west-0", "sa-east-0").stream().map(cluster::address).toList();
      assertEquals(201, gateway.put("/v2/repository/models/mlp/versions/1", TestModels.twoHeadMlp()).status());
      Reply load = gateway.post("/v2/repository/models/mlp/load", "{\"parameters\": {\"partitions\": 1, \"replicas_per_region\": 1}}");
      assertEquals(200, load.status(), load.body());

      Reply page = cluster.rig("us-east-0").getManagement("/");
      assertEquals(200, page.status(), "the page itself needs no token");
      assertTrue(page.body().contains("<svg id=\"map\""), page.body());
      assertTrue(!page.body().matches("(?s).*(<script[^>]*src=|<link |@import|url\\().*"), "one self-contained page: nothing loaded from elsewhere");
      assertEquals(401, cluster.rig("us-east-0").getManagement("/admin/events").status(), "its data does");

      try (HeadlessChromium browser = HeadlessChromium.start(chromium.get())) {
        browser.navigate("http://127.0.0.1:" + gateway.rig.managementPort() + "/#token=" + ADMIN);
        awaitPage(browser, Duration.ofSeconds(30), "every region, rig and the model's replicas drawn, all serving", () -> {
          for (String region : REGIONS) {
            if (count(browser, "[data-region='" + region + "'].region") != 1) return false;
            if (count(browser, "[data-model='mlp@1'] td[data-region='" + region + "'][data-ready='1']") != 1) return false;
          }
          for (String rig : rigs) if (count(browser, "[data-rig='" + rig + "'].rig.ok") != 1) return false;
          return count(browser, "[data-link] [data-rtt]") == 3;
        });
        // Each rig measures only from itself: the pair of the two regions this rig is in neither of
        // can only be known from what their rigs published.
        awaitPage(browser, Duration.ofSeconds(30), "a measured RTT on the line of every pair of regions", () -> {
          for (String pair : List.of("eu-west|sa-east", "eu-west|us-east", "sa-east|us-east")) {
            JsonNode label = browser.evaluate("(document.querySelector(\"[data-link='" + pair + "'] [data-rtt][data-measured='1']\") || {}).textContent");
            if (!label.isTextual() || !label.asText().matches("\\d+ ms")) return false;
          }
          return true;
        });
        Reply rtt = gateway.getManagement("/admin/regions/rtt");
        assertEquals(200, rtt.status(), rtt.body());
        assertEquals(REGIONS.stream().sorted().toList(),
            StreamSupport.stream(rtt.json().get("regions").spliterator(), false).map(JsonNode::asText).toList(), rtt.body());
        assertEquals(3, rtt.json().get("pairs").size(), rtt.body());
        for (JsonNode pair : rtt.json().get("pairs")) {
          assertTrue(pair.get("rttMs").asDouble() >= 0 && pair.get("rigs").asInt() >= 1, rtt.body());
        }
        assertEquals("live", browser.evaluate("document.getElementById('live').textContent").asText());

        String killed = cluster.address("us-east-1");
        cluster.crash("us-east-1");
        awaitPage(browser, Duration.ofSeconds(30), "the killed rig drawn red", () ->
            count(browser, "[data-rig='" + killed + "'].rig.bad") == 1);
        for (String rig : rigs) {
          if (!rig.equals(killed)) assertEquals(1, count(browser, "[data-rig='" + rig + "'].rig.ok"), rig + " stays green");
        }
        // What an operator would have seen, for whoever reads the build's output.
        Files.write(Path.of("target", "dashboard.png"), browser.screenshot());
        JsonNode logged = browser.evaluate("[...document.querySelectorAll('#events li.bad-text')].map(li => li.textContent)");
        assertTrue(logged.toString().contains(killed), "the event stream told the page: " + logged);
      }
    }
  }

  private static int count(HeadlessChromium browser, String selector) {
    try {
      return browser.evaluate("document.querySelectorAll(\"" + selector + "\").length").asInt();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void awaitPage(HeadlessChromium browser, Duration max, String what, Check check) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      if (check.holds()) return;
      Thread.sleep(250);
    }
    fail("not within " + max + ": " + what + "; the page shows: "
        + browser.evaluate("document.getElementById('main').innerText + ' | ' + "
            + "[...document.querySelectorAll('.rig')].map(r => r.getAttribute('data-rig') + '=' + r.getAttribute('class')).join(', ')"));
  }
}
