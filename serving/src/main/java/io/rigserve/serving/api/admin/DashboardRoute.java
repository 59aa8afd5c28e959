package io.rigserve.serving.api.admin;

import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /} on the management port: the operators' dashboard, one self-contained page from the
 * jar (plain SVG and JavaScript, nothing from elsewhere). The page holds no data, so it loads
 * without credentials; it reads {@code /admin/cluster}, {@code /admin/regions}, {@code
 * /admin/models}, {@code /admin/routing} and the {@code /admin/events} stream with the admin token
 * it asks for (or finds after {@code #token=} in its address, which no server ever sees).
 */
public final class DashboardRoute extends AllDirectives {

  /** Where the page is in the jar. */
  public static final String PAGE = "io/rigserve/serving/dashboard/index.html";

  private static final List<HttpHeader> HEADERS = List.of(
      // Only this page's own script and styles, data only from this port, never framed by another site.
      RawHeader.create("Content-Security-Policy",
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'"),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Cache-Control", "no-store"));

  public Route route() {
    return pathSingleSlash(() -> get(() -> respondWithHeaders(HEADERS, () ->
        getFromResource(PAGE, ContentTypes.TEXT_HTML_UTF8))));
  }
}
