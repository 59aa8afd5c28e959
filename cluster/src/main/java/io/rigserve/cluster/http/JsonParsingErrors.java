package io.rigserve.cluster.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests too malformed to reach any route (a header over its limit, a broken request
 * line) with a JSON error, like every other refusal; set as {@code
 * pekko.http.server.parsing.error-handler}. Pekko's 5xx verdicts on a request it cannot parse
 * (501 for an unknown method, 505 when a raw space or line break in the target leaves no
 * readable version) are the client's doing, so they become 400 (see {@link JsonErrors#clientStatus}).
 */
public final class JsonParsingErrors extends ParsingErrorHandler {

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo error, LoggingAdapter log, ServerSettings settings) {
    log.debug("refused a malformed request: {}", error.formatPretty());
    String summary = error.summary().isEmpty() ? status.reason() : error.summary();
    if (status.intValue() == 505) {
      summary = "malformed request line: no HTTP/1.x version after the target (a raw space or line break in it?)";
    }
    return JsonErrors.response(JsonErrors.clientStatus(status.intValue()), summary);
  }
}
