package io.rigserve.serving.api.grpc;

import java.time.Duration;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import scala.concurrent.duration.FiniteDuration;

/**
 * HTTP/2 pings on the gRPC port while a call is open, so that the idle timeout closes idle
 * connections only, not one whose call is slow.
 *
 * <p>Pekko HTTP's idle timeout (1.3.0, {@code HttpConnectionIdleTimeoutBidi} on the TCP
 * connection and again in {@code Http2Blueprint.serverStackTls}) counts bytes, not streams: a call
 * whose request is still held back by flow control, or whose answer is still being computed, sends
 * nothing, and its connection is reset after {@code idle-timeout} (a 64 MiB request under load was).
 * Its HTTP/2 server sends a PING only while streams are active and no frame has passed for
 * {@code http2.ping-interval}; the peer's ACK is traffic, so an open call keeps its connection.
 * Three pings fit in one idle timeout, so a late ACK or two does not lose it either.
 */
public final class GrpcKeepAlive {

  private GrpcKeepAlive() {}

  public static ServerSettings apply(ServerSettings server) {
    if (!(server.getTimeouts().idleTimeout() instanceof FiniteDuration idle)) return server; // infinite: nothing to keep
    Duration interval = Duration.ofMillis(Math.max(1, idle.toMillis() / 3));
    return server.withHttp2Settings(server.getHttp2Settings().withPingInterval(interval));
  }
}
