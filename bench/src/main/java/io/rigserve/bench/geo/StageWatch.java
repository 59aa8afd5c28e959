package io.rigserve.bench.geo;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches how many stages some gateways send to one region, as their {@code /admin/routing}
 * counters show, every 100 ms: the times the count grew tell when routing stopped sending to a
 * failed region and when it started again.
 */
final class StageWatch {

  private final List<GeoRig> gateways;
  private final String region;
  private final ConcurrentLinkedQueue<Long> increases = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;

  private StageWatch(List<GeoRig> gateways, String region) {
    this.gateways = gateways;
    this.region = region;
    this.thread = new Thread(this::poll, "stage-watch-" + region);
    thread.setDaemon(true);
  }

  static StageWatch start(List<GeoRig> gateways, String region) {
    StageWatch w = new StageWatch(gateways, region);
    w.thread.start();
    return w;
  }

  /** Stages these gateways have sent to the region so far (gateways that do not answer count 0). */
  long sent() {
    long sum = 0;
    for (GeoRig g : gateways) {
      JsonNode routing = GeoHttp.jsonOrNull(g.managementUrl() + "/admin/routing");
      if (routing == null) continue;
      for (JsonNode r : routing.get("replicas")) {
        if (r.get("region").asText().equals(region)) sum += r.get("sent").asLong();
      }
    }
    return sum;
  }

  private void poll() {
    long last = sent();
    while (running.get()) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
      long now = sent();
      if (now > last) increases.add(System.nanoTime());
      last = Math.max(last, now);
    }
  }

  /** The last time in [from, to) the count grew, or {@code from} if it did not. */
  long lastIncrease(long from, long to) {
    return increases.stream().filter(t -> t >= from && t < to).max(Long::compare).orElse(from);
  }

  /** The first time at or after {@code from} the count grew, or -1. */
  long firstIncrease(long from) {
    return increases.stream().filter(t -> t >= from).min(Long::compare).orElse(-1L);
  }

  void stop() {
    running.set(false);
    thread.interrupt();
  }
}
