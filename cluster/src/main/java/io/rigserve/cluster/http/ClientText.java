package io.rigserve.cluster.http;

/**
 * What a client sent, shown back in an error message: cut short, so that a huge name or id can
 * neither bloat a response nor overflow an HTTP/2 header (gRPC sends the message in one).
 */
public final class ClientText {

  /** Characters of one client string shown in a message. */
  public static final int MAX_ECHO = 128;
  /** Characters of a whole error message; anything longer is cut. */
  public static final int MAX_MESSAGE = 1024;

  private ClientText() {}

  /** {@code text} itself when short, else its first {@value #MAX_ECHO} characters and "…". */
  public static String echo(String text) {
    return cut(text, MAX_ECHO);
  }

  /** An error message fit to send: at most {@value #MAX_MESSAGE} characters. */
  public static String message(String text) {
    return cut(text, MAX_MESSAGE);
  }

  private static String cut(String text, int max) {
    if (text == null) return "";
    if (text.length() <= max) return text;
    int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
    return text.substring(0, end) + "…";
  }
}
