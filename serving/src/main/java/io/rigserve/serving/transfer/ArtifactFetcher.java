package io.rigserve.serving.transfer;

import io.rigserve.cluster.Failures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.rigserve.serving.repository.Sha256;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import io.rigserve.cluster.security.RigTls;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets a partition file onto this rig: the local copy if its digest is right, else streamed
 * from the peers in order (chunked to a staging file, hashed on the way, installed only when the
 * digest matches), moving to the next peer when one fails, is unreachable or sends wrong bytes.
 * A peer is dialed only if it is the data plane of a current member ({@link MemberDataPlanes});
 * with cluster TLS only over HTTPS, presenting this rig's certificate and trusting only the CA.
 */
public final class ArtifactFetcher {

  private static final Logger log = LoggerFactory.getLogger(ArtifactFetcher.class);

  private final ArtifactStore store;
  private final Http http;
  private final Materializer materializer;
  private final long maxBytes;
  private final ConnectionPoolSettings pool;
  private final LoggingAdapter httpLog;
  private final HttpsConnectionContext connections;
  private final String scheme;
  private final Supplier<Set<String>> memberDataPlanes;
  private final LongAdder bytesReceived = new LongAdder();
  private final Map<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);

  /** How one {@link #fetch} ended. */
  public enum Outcome {
    /** The local copy had the right digest: nothing went over the network. */
    LOCAL,
    /** A peer sent a copy with the right digest. */
    FETCHED,
    /** No peer could provide one. */
    UNAVAILABLE
  }

  /**
   * @param tls this rig's cluster TLS; empty: plain HTTP
   * @param memberDataPlanes the data plane URLs of current members, asked at every fetch
   */
  public ArtifactFetcher(ArtifactStore store, ActorSystem<?> system, long maxBytes, Optional<RigTls> tls,
      Supplier<Set<String>> memberDataPlanes) {
    this.store = store;
    this.http = Http.get(system);
    this.connections = tls
        .map(t -> ConnectionContext.httpsClient((host, port) -> t.clientEngine(host, port)))
        .orElse(http.defaultClientHttpsContext());
    this.scheme = tls.isPresent() ? "https://" : "http://";
    this.memberDataPlanes = memberDataPlanes;
    this.materializer = Materializer.matFromSystem(system);
    this.maxBytes = maxBytes;
    // A peer that fails is left for the next one at once: no pool retries with back-off.
    this.pool = ConnectionPoolSettings.create(Adapter.toClassic(system)).withMaxRetries(0);
    this.httpLog = Logging.getLogger(Adapter.toClassic(system), this);
    for (Outcome o : Outcome.values()) outcomes.put(o, new LongAdder());
  }

  /** Bytes received from peers so far, those of copies later refused for a wrong digest included. */
  public long bytesReceived() {
    return bytesReceived.sum();
  }

  /** The fetches so far that ended with {@code outcome}. */
  public long fetches(Outcome outcome) {
    return outcomes.get(outcome).sum();
  }

  /** @param peers base URLs of data planes that may have it ({@code https://host:port}), best first */
  public CompletionStage<Path> fetch(ArtifactId id, String sha256, List<String> peers) {
    Optional<Path> local = store.valid(id, sha256);
    if (local.isPresent()) {
      outcomes.get(Outcome.LOCAL).increment();
      return CompletableFuture.completedFuture(local.get());
    }
    return tryPeers(id, sha256, peers, 0, new ArrayList<>()).whenComplete((path, error) ->
        outcomes.get(error == null ? Outcome.FETCHED : Outcome.UNAVAILABLE).increment());
  }

  private CompletionStage<Path> tryPeers(ArtifactId id, String sha, List<String> peers, int i, List<String> failures) {
    if (i >= peers.size()) {
      return CompletableFuture.failedFuture(new ArtifactUnavailable(
          "no peer could provide " + id + " with sha256 " + sha + (failures.isEmpty() ? " (no peers known)" : ": " + String.join("; ", failures))));
    }
    String peer = peers.get(i);
    if (!peer.startsWith(scheme) || !memberDataPlanes.get().contains(peer)) {
      // Whatever a message named: shown shortened, never dialed.
      String shown = peer.length() > 120 ? peer.substring(0, 120) + "..." : peer;
      log.warn("not fetching {} from {}: not the data plane of a current member", id, shown);
      failures.add(shown + ": not the data plane of a current member");
      return tryPeers(id, sha, peers, i + 1, failures);
    }
    return fetchFrom(id, sha, peer).handle((path, error) -> {
      if (error == null) return CompletableFuture.completedFuture(path);
      Throwable cause = Failures.unwrap(error);
      log.warn("fetching {} from {} failed: {}", id, peer, cause.getMessage());
      failures.add(peer + ": " + cause.getMessage());
      return tryPeers(id, sha, peers, i + 1, failures);
    }).thenCompose(stage -> stage);
  }

  private CompletionStage<Path> fetchFrom(ArtifactId id, String sha, String peer) {
    Path staged;
    try {
      staged = store.newStagingFile(id);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    MessageDigest digest = Sha256.newDigest();
    return http.singleRequest(HttpRequest.GET(peer + id.urlPath()), connections, pool, httpLog)
        .thenCompose((HttpResponse response) -> {
          if (response.status().intValue() != 200) {
            response.discardEntityBytes(materializer);
            throw new IllegalStateException("HTTP " + response.status().intValue());
          }
          return response.entity().withSizeLimit(maxBytes).getDataBytes()
              .map(chunk -> {
                bytesReceived.add(chunk.size());
                digest.update(chunk.asByteBuffer());
                return chunk;
              })
              .runWith(FileIO.toPath(staged), materializer);
        })
        .thenApply(io -> {
          String got = Sha256.hex(digest);
          if (!got.equals(sha)) {
            throw new IllegalStateException("sha256 mismatch: got " + got);
          }
          try {
            return store.install(id, staged, sha);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        })
        .whenComplete((path, error) -> {
          if (error != null) {
            try {
              Files.deleteIfExists(staged);
            } catch (IOException ignored) {
              // a leftover .part file is harmless and overwritten by nothing
            }
          }
        });
  }

  /** No peer could provide a valid copy. */
  public static final class ArtifactUnavailable extends RuntimeException {
    public ArtifactUnavailable(String message) {
      super(message);
    }
  }
}
