package io.rigserve.serving.api.rest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Bytes on a raw socket to a rig's HTTP port, for what no well-behaved client sends: broken
 * request lines, malformed chunks, bodies that stop. Every read is bounded in time.
 */
final class RawHttp implements AutoCloseable {

  /** What came back: the response text, whether the server closed the connection, and when. */
  record Answer(String text, boolean closed, long millis) {
    int status() {
      if (!text.startsWith("HTTP/1.1 ")) return -1;
      return Integer.parseInt(text.substring(9, 12));
    }

    String body() {
      int start = text.indexOf("\r\n\r\n");
      return start < 0 ? "" : text.substring(start + 4);
    }
  }

  private final Socket socket;

  RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
  }

  RawHttp send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  RawHttp send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return this;
  }

  /**
   * Reads until the server closes, a complete response with a Content-Length has arrived, or
   * {@code maxMillis} pass.
   */
  Answer read(long maxMillis) throws IOException {
    long start = System.nanoTime();
    long deadline = start + maxMillis * 1_000_000;
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    boolean closed = false;
    while (System.nanoTime() < deadline && !complete(got.toString(StandardCharsets.ISO_8859_1))) {
      socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      try {
        int n = in.read(buffer);
        if (n < 0) {
          closed = true;
          break;
        }
        got.write(buffer, 0, n);
      } catch (SocketTimeoutException e) {
        break;
      } catch (IOException reset) {
        closed = true;
        break;
      }
    }
    return new Answer(got.toString(StandardCharsets.UTF_8), closed, (System.nanoTime() - start) / 1_000_000);
  }

  private static boolean complete(String text) {
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) return false;
    String head = text.substring(0, end).toLowerCase();
    int at = head.indexOf("content-length: ");
    if (at < 0) return false;
    int length = Integer.parseInt(head.substring(at + 16).split("\r\n")[0].trim());
    return text.length() - end - 4 >= length;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
