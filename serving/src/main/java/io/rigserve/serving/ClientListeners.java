package io.rigserve.serving;

import io.rigserve.cluster.http.JsonErrors;
import io.rigserve.serving.api.grpc.GrpcHeaderLimits;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.Materializer;

/**
 * The REST and gRPC listeners of a rig process, bound once and kept while the rig's actor system
 * is rebuilt after a downing: each request goes to the current incarnation's handlers. While one
 * incarnation ends and the next is not ready, requests wait for it (at most {@link #HOLD}); a
 * request the ending incarnation failed (cut off, 5xx, a non-OK gRPC status) is replayed on the
 * next one when it is safe to: inference and reads, with a body already received in full.
 */
public final class ClientListeners {

  /**
   * What one incarnation serves. {@code downed} is true once it knows the cluster downed it (its
   * answers are no longer to be trusted); {@code ending} completes when it starts to shut down.
   */
  public record Handlers(
      Function<HttpRequest, CompletionStage<HttpResponse>> rest,
      Function<HttpRequest, CompletionStage<HttpResponse>> grpc,
      BooleanSupplier ready,
      BooleanSupplier downed,
      CompletionStage<?> ending) {}

  /** Longest a request waits for the next incarnation to be ready (a rebuild takes seconds). */
  static final Duration HOLD = Duration.ofSeconds(20);
  /** Bodies up to this size are read in full first, so that the request can be replayed. */
  static final long REPLAYABLE_BYTES = 16L * 1024 * 1024;
  private static final long POLL_MILLIS = 50;

  private final ActorSystem<?> system;
  private final Materializer materializer;
  private volatile Serving serving;
  private volatile ServerBinding http;
  private volatile ServerBinding grpc;

  private ClientListeners(ActorSystem<?> system) {
    this.system = system;
    this.materializer = Materializer.matFromSystem(system);
  }

  /** Binds REST on {@code host:httpPort} and gRPC on {@code host:grpcPort} in {@code system}, serving nothing yet. */
  public static CompletionStage<ClientListeners> bind(ActorSystem<?> system, String host, int httpPort, int grpcPort,
      Optional<HttpsConnectionContext> tls) {
    ClientListeners listeners = new ClientListeners(system);
    Http http = Http.get(system);
    CompletionStage<ServerBinding> rest = server(http.newServerAt(host, httpPort), tls)
        // REST stays HTTP/1.1: an h2c upgrade attempt by a client is simply not taken up.
        .adaptSettings(s -> s.withEnableHttp2(false))
        .bind((Function<HttpRequest, CompletionStage<HttpResponse>>) request -> listeners.handle(request, false));
    CompletionStage<ServerBinding> grpc = server(http.newServerAt(host, grpcPort), tls)
        .adaptSettings(GrpcHeaderLimits::apply)
        .bind((Function<HttpRequest, CompletionStage<HttpResponse>>) request -> listeners.handle(request, true));
    return rest.thenCombine(grpc, (r, g) -> {
      listeners.http = r;
      listeners.grpc = g;
      return listeners;
    });
  }

  /** A server for API clients: HTTPS when client TLS is configured (gRPC then negotiates HTTP/2 by ALPN). */
  private static ServerBuilder server(ServerBuilder server, Optional<HttpsConnectionContext> tls) {
    return tls.map(server::enableHttps).orElse(server);
  }

  /** From now on, requests go to {@code handlers} (once they are ready, if the previous incarnation has ended). */
  public void serve(Handlers handlers) {
    serving = new Serving(handlers, new AtomicBoolean(serving != null));
  }

  public ServerBinding http() {
    return http;
  }

  public ServerBinding grpc() {
    return grpc;
  }

  private CompletionStage<HttpResponse> handle(HttpRequest request, boolean grpcPort) {
    if (!replayable(request, grpcPort)) {
      return whenServing(System.nanoTime() + HOLD.toNanos()).thenCompose(h -> pass(h, request, grpcPort));
    }
    return request.entity().toStrict(HOLD.toMillis(), REPLAYABLE_BYTES, materializer)
        .handle((strict, error) -> error != null
            ? CompletableFuture.completedFuture(JsonErrors.response(400, "the request body was not received whole: "
                + error.getMessage()))
            : attempt(request.withEntity(strict), grpcPort, System.nanoTime() + HOLD.toNanos()))
        .thenCompose(response -> response);
  }

  /** Sends {@code request} to the serving incarnation; if that one was ending and failed it, to the next. */
  private CompletionStage<HttpResponse> attempt(HttpRequest request, boolean grpcPort, long holdUntil) {
    return whenServing(holdUntil).thenCompose(h -> pass(h, request, grpcPort)
        .handle((response, error) -> {
          boolean cutOff = error != null || failed(response);
          if (cutOff && h != null && ended(h) && System.nanoTime() < holdUntil) {
            if (response != null) response.discardEntityBytes(materializer);
            return attempt(request, grpcPort, holdUntil);
          }
          return error != null ? CompletableFuture.<HttpResponse>failedFuture(error) : CompletableFuture.completedFuture(response);
        })
        .thenCompose(next -> next));
  }

  private static CompletionStage<HttpResponse> pass(Handlers h, HttpRequest request, boolean grpcPort) {
    if (h == null) return CompletableFuture.completedFuture(JsonErrors.response(503, "the rig is starting"));
    try {
      return (grpcPort ? h.grpc() : h.rest()).apply(request);
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The incarnation to send to: the current one if it can take requests; else, until {@code
   * holdUntil}, the wait (polled) for one that can; then whatever is current.
   */
  private CompletionStage<Handlers> whenServing(long holdUntil) {
    Serving s = serving;
    if (s != null && s.takesRequests() || System.nanoTime() >= holdUntil) {
      return CompletableFuture.completedFuture(s == null ? null : s.handlers());
    }
    return CompletableFuture.supplyAsync(() -> holdUntil, CompletableFuture.delayedExecutor(POLL_MILLIS, TimeUnit.MILLISECONDS))
        .thenCompose(this::whenServing);
  }

  /** The incarnation now served; {@code waiting} while it is a successor of one that ended and not yet ready. */
  private record Serving(Handlers handlers, AtomicBoolean waiting) {
    /**
     * The first incarnation answers "not ready" itself while it starts; a successor is waited for
     * until it is ready once (later trouble is its own to answer).
     */
    boolean takesRequests() {
      if (ended(handlers)) return false;
      if (waiting.get() && handlers.ready().getAsBoolean()) waiting.set(false);
      return !waiting.get();
    }
  }

  private static boolean ended(Handlers h) {
    return h.ending().toCompletableFuture().isDone() || h.downed().getAsBoolean();
  }

  private static boolean failed(HttpResponse response) {
    if (response.status().intValue() >= 500) return true;
    return response.getHeader("grpc-status").map(s -> !s.value().equals("0")).orElse(false);
  }

  /** Inference and reads whose body (if any) is small enough to be held for a replay. */
  private static boolean replayable(HttpRequest request, boolean grpcPort) {
    String path = request.getUri().path();
    boolean safe = grpcPort
        ? !path.contains("Repository")
        : request.method().equals(HttpMethods.GET) || path.endsWith("/infer");
    if (!safe) return false;
    if (request.entity().isStrict()) return true;
    return request.entity().getContentLengthOption().isPresent()
        && request.entity().getContentLengthOption().getAsLong() <= REPLAYABLE_BYTES;
  }
}
