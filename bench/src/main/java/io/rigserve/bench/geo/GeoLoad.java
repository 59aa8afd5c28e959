package io.rigserve.bench.geo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Clients of several regions, each sending one inference request after another (at most one per
 * {@code interval}) to its region's gateway, until stopped or the time limit passes. Every
 * request's start, end and outcome is kept.
 */
public final class GeoLoad {

  /** One request: which region's client sent it, when, and what came back (0: no answer). */
  public record Outcome(String region, long startNanos, long endNanos, int status, String error) {
    public boolean succeeded() {
      return status == 200;
    }

    public double millis() {
      return (endNanos - startNanos) / 1e6;
    }
  }

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
  private final List<Thread> threads = new ArrayList<>();

  /**
   * @param gateways region name and REST base URL of the gateway its clients use
   * @param requestTimeout how long a client waits for an answer (above the request's own deadline)
   */
  public static GeoLoad start(List<String[]> gateways, int clientsPerRegion, String model, String body,
      Duration interval, Duration requestTimeout, Duration limit) {
    GeoLoad load = new GeoLoad();
    for (String[] g : gateways) {
      HttpRequest request = HttpRequest.newBuilder(URI.create(g[1] + "/v2/models/" + model + "/infer"))
          .header("Content-Type", "application/json").timeout(requestTimeout)
          .POST(HttpRequest.BodyPublishers.ofString(body)).build();
      for (int c = 0; c < clientsPerRegion; c++) {
        Thread t = new Thread(() -> load.client(g[0], request, interval, limit), "client-" + g[0] + "-" + c);
        t.setDaemon(true);
        load.threads.add(t);
        t.start();
      }
    }
    return load;
  }

  private void client(String region, HttpRequest request, Duration interval, Duration limit) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(3)).build();
    long until = System.nanoTime() + limit.toNanos();
    while (running.get() && System.nanoTime() < until) {
      long start = System.nanoTime();
      try {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        outcomes.add(new Outcome(region, start, System.nanoTime(), r.statusCode(),
            r.statusCode() == 200 ? null : r.body()));
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        outcomes.add(new Outcome(region, start, System.nanoTime(), 0, e.toString()));
      }
      long rest = interval.toNanos() - (System.nanoTime() - start);
      if (rest > 0) {
        try {
          Thread.sleep(rest / 1_000_000L);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** Stops the clients and waits for their last requests to finish. */
  public List<Outcome> stop() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) t.join(30_000);
    return List.copyOf(outcomes);
  }
}
