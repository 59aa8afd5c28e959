package io.rigserve.cluster.serialization;

/**
 * Bytes from another rig that do not decode within their declared lengths and the registered
 * classes. Pekko logs it and drops the message; it carries no stack trace, since a peer can send
 * any number of them and the reason is all the log needs.
 */
public final class RefusedMessage extends RuntimeException {

  RefusedMessage(int size, RuntimeException cause) {
    super("refused a " + size + "-byte message: " + shorten(String.valueOf(cause.getMessage())), null, false, false);
  }

  private static String shorten(String reason) {
    String line = reason.replace('\n', ' ');
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }
}
