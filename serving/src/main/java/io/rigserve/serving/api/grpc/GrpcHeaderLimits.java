package io.rigserve.serving.api.grpc;

import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.settings.ParserSettings;
import org.apache.pekko.http.javadsl.settings.ServerSettings;

/**
 * Header limits of the gRPC port, set high enough that hostile metadata reaches the handler and
 * gets a per-call status (UNAUTHENTICATED, INVALID_ARGUMENT, ...).
 *
 * <p>Pekko HTTP's HTTP/2 server (1.3.0) parses every header of a HEADERS block with the HTTP/1
 * header parser and fails the whole connection (GOAWAY INTERNAL_ERROR, or PROTOCOL_ERROR past
 * {@code max-header-count}) when one is over a limit: no stream status is possible there. Its HPACK
 * decoder has no header list limit and holds the whole block before parsing, so these limits do
 * not bound memory (the bytes received do); they only decide which requests are answered. They
 * cover what a client may send as metadata: a binary value of 64 KiB (base64, about 88 KiB), all
 * {@code cookie} headers of a request (parsed as one value) and a thousand entries. The
 * {@code :path} is parsed relaxed, so that a method name with visible ASCII the RFC does not allow
 * (e.g. {@code <}) reaches the handler and is UNIMPLEMENTED; a control character or a byte past
 * ASCII in it still fails the connection, as Pekko's URI parser accepts neither in any mode.
 */
public final class GrpcHeaderLimits {

  /** Longest header value (after HTTP/2 joins the cookies) that still gets a per-call answer. */
  public static final int MAX_HEADER_VALUE_LENGTH = 1 << 20;
  /** Most headers (pseudo-headers included) on one call that still get a per-call answer. */
  public static final int MAX_HEADER_COUNT = 2048;

  private GrpcHeaderLimits() {}

  /** The gRPC port's settings, as both of its bindings adapt them: these limits and {@link GrpcKeepAlive}. */
  public static ServerSettings apply(ServerSettings server) {
    ParserSettings parser = server.getParserSettings()
        .withMaxHeaderValueLength(MAX_HEADER_VALUE_LENGTH)
        .withMaxHeaderCount(MAX_HEADER_COUNT)
        .withUriParsingMode(Uri.RELAXED);
    return GrpcKeepAlive.apply(server.withParserSettings(parser));
  }
}
