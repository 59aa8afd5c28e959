package io.rigserve.serving.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Judges one HTTP answer to a hostile request: it must come within {@link FuzzRun#PATIENCE},
 * carry a status line, never be a 5xx, and (where the port promises it) explain a 4xx as
 * {@code {"error": "..."}}. A finding's kind names the category, status and the gist of the
 * error, so equal bugs collapse into one line.
 */
final class HttpVerdict {

  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpVerdict() {}

  /**
   * @param jsonErrors whether every 4xx must have a JSON body with "error"
   * @param ownDeadline whether the request set its own deadline (then 504 is its due answer)
   */
  static void judge(RawHttp.Answer answer, String category, int index, String input, Findings findings,
      boolean jsonErrors, boolean ownDeadline) {
    if (answer.hung()) {
      findings.add(category + ": no answer within " + FuzzRun.PATIENCE.toSeconds() + " s"
          + (answer.status() > 0 ? " (status " + answer.status() + " came, the body never ended)" : ""), index, input);
    } else if (answer.status() < 0) {
      // The client half-closes after writing (so a truncated body ends); a server may then close
      // without answering, and a reset may overtake an answer (see RawHttp). Neither is a hang,
      // and the watch checks the rig after every batch.
      return;
    } else if (answer.status() == 501 || answer.status() == 505) {
      findings.add(answer.status() + " (any route): " + gist(answer), index, category + ": " + input);
    } else if (answer.status() >= 500 && !(answer.status() == 504 && ownDeadline)) {
      findings.add(category + ": " + answer.status() + " " + gist(answer), index, input);
    } else if (jsonErrors && answer.status() >= 400 && !hasJsonError(answer)) {
      // One cause (a server-wide rejection or parse error answered as text) shows on every route: group by it alone.
      findings.add(answer.status() + " without a JSON {\"error\"} body (any route): " + gist(answer), index,
          category + ": " + input);
    }
  }

  private static boolean hasJsonError(RawHttp.Answer answer) {
    if (!answer.isJson()) return false;
    // The answer to HEAD: a JSON head without its body.
    if (answer.body().length == 0) return true;
    try {
      JsonNode body = JSON.readTree(answer.body());
      return body != null && body.hasNonNull("error") && body.get("error").isTextual();
    } catch (Exception e) {
      return false;
    }
  }

  /** The first words of the answer's body, numbers and quoted parts blanked, to group equal causes. */
  static String gist(RawHttp.Answer answer) {
    String text = answer.bodyText();
    text = text.replaceAll("'[^']*'", "'…'").replaceAll("\"[^\"]{20,}\"", "\"…\"").replaceAll("[0-9]+", "#");
    return text.length() > 90 ? text.substring(0, 90) : text;
  }
}
