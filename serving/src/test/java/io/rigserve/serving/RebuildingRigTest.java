package io.rigserve.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.serving.TestRig.Reply;
import io.rigserve.serving.testmodels.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A rig process whose region is cut off is downed by the others; when the cut heals it builds a
 * new actor system and rejoins. Its clients, sending all along to the same REST port, see no
 * failed request: the listeners stay bound, requests wait for the new incarnation, and those the
 * old one cut off are replayed.
 */
class RebuildingRigTest {

  private static final String BODY = "{\"parameters\":{\"timeout\":30000000},\"inputs\":["
      + "{\"name\":\"features\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]},"
      + "{\"name\":\"offset\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[0,0,0]}]}";

  private final TestCluster cluster = new TestCluster();
  private RigProcess process;

  @AfterEach
  void stop() throws Exception {
    if (process != null) process.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
    cluster.close();
  }

  @Test
  void aRigDownedAndRebuiltKeepsAnsweringItsOwnClients() throws Exception {
    cluster.start("a", "us-east", 39.0, -77.5, "4 GiB");
    cluster.start("c", "sa-east", -23.5, -46.6, "4 GiB");
    Path dir = cluster.repository("a").resolve("mlp").resolve("1");
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.onnx"), TestModels.twoHeadMlp());
    Reply load = cluster.rig("a").post("/v2/repository/models/mlp/load", "");
    assertEquals(200, load.status(), load.body());
    process = RigProcess.start(cluster.configFor("p", "eu-west", 53.3, -6.3, "4 GiB"));
    TestCluster.await(Duration.ofSeconds(60), "a replica in each region", () -> cluster.readyReplicas("mlp").size() == 3);
    int port = process.httpPort();

    Load clients = Load.start(port, 2);
    Thread.sleep(2000);
    Rig first = process.current();
    cluster.cut(first.system(), true);
    TestCluster.await(Duration.ofSeconds(40), "the cut-off rig downed by the others", () ->
        StreamSupport.stream(Cluster.get(cluster.rig("a").rig.system()).state().getMembers().spliterator(), false)
            .noneMatch(m -> m.dataCenter().equals("eu-west")));
    int beforeHeal = clients.answered.get();
    cluster.cut(process.current().system(), false);
    TestCluster.await(Duration.ofSeconds(60), "the rig rebuilt", () -> process.current() != first);
    TestCluster.await(Duration.ofSeconds(60), "the rebuilt rig hosting its replica again", () ->
        cluster.readyReplicas("mlp").stream().anyMatch(r -> r.get("region").asText().equals("eu-west")));
    int atRebuilt = clients.answered.get();
    Thread.sleep(2000);
    clients.stop();

    System.out.printf("rebuilt rig: %d answered before the heal, %d by the rebuild, %d in all, %d failed%n",
        beforeHeal, atRebuilt, clients.answered.get(), clients.failures.size());
    assertEquals(List.of(), List.copyOf(clients.failures), "requests failed across the downing and the rebuild");
    assertEquals(port, process.httpPort(), "the listener moved");
    assertTrue(clients.answered.get() > atRebuilt, "no request answered after the rebuild");
  }

  /** Clients sending one request after another to one REST port, keeping every failure. */
  private static final class Load {
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger answered = new AtomicInteger();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    final List<Thread> threads = new ArrayList<>();

    static Load start(int port, int clients) {
      Load load = new Load();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      for (int c = 0; c < clients; c++) {
        Thread t = new Thread(() -> {
          while (load.running.get()) {
            try {
              HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/mlp/infer"))
                  .timeout(Duration.ofSeconds(40)).header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() == 200) load.answered.incrementAndGet();
              else load.failures.add(r.statusCode() + " " + r.body());
              Thread.sleep(20);
            } catch (InterruptedException e) {
              return;
            } catch (Exception e) {
              load.failures.add(e.toString());
            }
          }
        });
        load.threads.add(t);
        t.start();
      }
      return load;
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) t.join(60_000);
    }
  }
}
