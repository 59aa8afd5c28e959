package io.rigserve.cluster.http;

import io.rigserve.cluster.Failures;
import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.handleExceptions;
import static org.apache.pekko.http.javadsl.server.Directives.handleRejections;
import static org.apache.pekko.http.javadsl.server.Directives.withRequestTimeoutResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Errors as every rigserve HTTP port answers them: {@code {"error": "..."}} with the right status,
 * also for what Pekko HTTP itself refuses (no route, wrong method or media type, a body too large,
 * malformed or not received in time) and for failures nobody expected (500, logged).
 */
public final class JsonErrors {

  private static final Logger log = LoggerFactory.getLogger(JsonErrors.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final RejectionHandler REJECTIONS =
      RejectionHandler.defaultHandler().mapRejectionResponse(JsonErrors::asJson);

  private static final ExceptionHandler EXCEPTIONS = ExceptionHandler.newBuilder()
      .matchAny(e -> complete(ofRequestFailure(e).orElseGet(() -> unexpected(e))))
      .build();

  private JsonErrors() {}

  /** {@code route} with JSON answers for every rejection, exception and request timeout. */
  public static Route seal(Route route) {
    return handleExceptions(EXCEPTIONS, () -> handleRejections(REJECTIONS, () ->
        withRequestTimeoutResponse(request -> response(503, "the request took too long to answer"), () -> route)));
  }

  /** A JSON error answer; the message is cut to {@link ClientText#MAX_MESSAGE} characters. */
  public static HttpResponse response(int status, String message) {
    try {
      byte[] body = JSON.writeValueAsBytes(Map.of("error", ClientText.message(message)));
      return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON error", e);
    }
  }

  /**
   * The answer to a failure the client caused while its request was read (body over the limit,
   * malformed or truncated, not sent in time), if {@code failure} is one.
   */
  public static Optional<HttpResponse> ofRequestFailure(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause()) {
      if (e instanceof EntityStreamSizeException size) {
        return Optional.of(response(413, "request body too large: the limit is " + size.limit() + " bytes"));
      }
      if (e instanceof EntityStreamException stream) {
        if (stream.info().summary().startsWith("Request too large")) {
          return Optional.of(response(413, "request body too large: " + stream.info().detail()));
        }
        return Optional.of(response(400, "request body unreadable: " + stream.info().formatPretty()));
      }
      if (e instanceof IllegalRequestException illegal) {
        return Optional.of(response(clientStatus(illegal.status().intValue()), illegal.info().summary()));
      }
    }
    Throwable top = Failures.unwrap(failure);
    // Only a timeout reading the body itself (HttpEntity.toStrict) is the client's; not one deeper inside.
    if (top instanceof TimeoutException && String.valueOf(top.getMessage()).contains("toStrict")) {
      return Optional.of(response(408, "the request body did not arrive in time"));
    }
    return Optional.empty();
  }

  /**
   * The status for a request Pekko refused while parsing it: its own 4xx as they are (413, 414,
   * 431, ...), but 400 for its 5xx (501 unknown method, 505 unreadable version), which a
   * malformed request causes, not the server.
   */
  public static int clientStatus(int parserStatus) {
    return parserStatus >= 500 ? 400 : parserStatus;
  }

  /** A 500 for a failure nobody expected; logged, since it is a bug to fix. */
  public static HttpResponse unexpected(Throwable failure) {
    log.error("unexpected failure answering a request", failure);
    return response(500, "internal error: " + failure.getClass().getSimpleName());
  }

  /** Pekko's own plain-text answers (rejections) turned into JSON errors. */
  private static HttpResponse asJson(HttpResponse response) {
    HttpEntity entity = response.entity();
    if (!(entity instanceof HttpEntity.Strict strict)
        || entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
      return response;
    }
    String text = strict.getData().decodeString(StandardCharsets.UTF_8);
    HttpResponse json = response(response.status().intValue(), text.isBlank() ? response.status().reason() : text);
    return response.withEntity(json.entity());
  }
}
