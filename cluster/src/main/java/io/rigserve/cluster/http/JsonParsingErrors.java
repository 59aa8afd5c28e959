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
 * pekko.http.server.parsing.error-handler}.
 */
public final class JsonParsingErrors extends ParsingErrorHandler {

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo error, LoggingAdapter log, ServerSettings settings) {
    log.debug("refused a malformed request: {}", error.formatPretty());
    return JsonErrors.response(status.intValue(), error.summary().isEmpty() ? status.reason() : error.summary());
  }
}
