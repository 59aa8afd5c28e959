package io.rigserve.serving.transfer;

import io.rigserve.cluster.http.JsonErrors;
import io.rigserve.cluster.security.RigTls;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;

/**
 * The server other rigs fetch partition files from. With cluster TLS it speaks HTTPS only and
 * completes a handshake only with a client presenting a certificate of the cluster's CA; each
 * connection gets an engine from the rig's current TLS material, so rotated files take effect.
 */
public final class DataPlane {

  private DataPlane() {}

  public static CompletionStage<ServerBinding> bind(
      ActorSystem<?> system, String host, int port, ArtifactStore store, Optional<RigTls> tls) {
    // HTTP/1.1 only: fetchers stream one file per request, and no ALPN is needed over TLS.
    ServerBuilder server = Http.get(system).newServerAt(host, port)
        .adaptSettings(settings -> settings.withEnableHttp2(false));
    if (tls.isPresent()) {
      server = server.enableHttps(ConnectionContext.httpsServer(tls.get()::serverEngine));
    }
    return server.bind(JsonErrors.seal(new ArtifactRoutes(store).route()));
  }
}
