package io.rigserve.serving.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Sends arbitrary bytes to an HTTP/1.1 port over a plain socket and reads whatever comes back.
 * Written by hand because every HTTP client refuses to send what a fuzzer must send (malformed
 * request lines, lying Content-Length, broken chunking, raw control bytes in headers).
 * After writing, the socket's output is shut down, so a truncated body is an end of stream for
 * the server, not an endless wait.
 */
final class RawHttp {

  /** Most of an answer a fuzz check ever reads; more is drained and dropped. */
  private static final int KEEP = 64 * 1024;

  private RawHttp() {}

  /**
   * What the server did with one request: its status (-1 when it closed without a status line),
   * headers and (at most {@value #KEEP} bytes of) body, and whether it failed to finish within
   * {@code patience}.
   */
  record Answer(int status, String head, byte[] body, boolean hung, boolean reset, long millis) {
    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    boolean isJson() {
      return head.toLowerCase(Locale.ROOT).contains("content-type: application/json");
    }

    /** A streaming answer (server-sent events) never ends by design; its head is enough. */
    boolean isStream() {
      return head.toLowerCase(Locale.ROOT).contains("text/event-stream");
    }
  }

  static Answer exchange(int port, byte[] request, Duration patience) throws IOException {
    long start = System.nanoTime();
    long deadline = start + patience.toNanos();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), (int) patience.toMillis());
      socket.setSoTimeout(250);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request);
        out.flush();
        socket.shutdownOutput();
      } catch (IOException e) {
        // The server may answer and close before reading everything (e.g. 413): read what it said.
      }
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      byte[] buffer = new byte[16 * 1024];
      int headEnd = -1;
      while (System.nanoTime() < deadline) {
        int n;
        try {
          n = in.read(buffer);
        } catch (SocketTimeoutException e) {
          if (headEnd >= 0 && new String(received.toByteArray(), 0, headEnd, StandardCharsets.ISO_8859_1)
              .toLowerCase(Locale.ROOT).contains("text/event-stream")) {
            return answer(received.toByteArray(), headEnd, false, false, start);
          }
          continue;
        } catch (IOException e) {
          // Reset by the server; a server closing after answering with part of the body unread
          // resets too, and the reset may overtake its answer: what arrived so far is all there is.
          return answer(received.toByteArray(), headEnd, false, true, start);
        }
        if (n < 0) return answer(received.toByteArray(), headEnd, false, false, start);
        if (received.size() < KEEP) received.write(buffer, 0, n);
        if (headEnd < 0) headEnd = indexOf(received.toByteArray(), "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (headEnd >= 0 && new String(received.toByteArray(), 0, Math.min(12, headEnd), StandardCharsets.ISO_8859_1)
            .equals("HTTP/1.1 100")) {
          // An interim "100 Continue": the real answer follows it.
          byte[] rest = Arrays.copyOfRange(received.toByteArray(), headEnd + 4, received.size());
          received.reset();
          received.write(rest);
          headEnd = indexOf(rest, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        if (headEnd >= 0 && complete(received.toByteArray(), headEnd)) {
          return answer(received.toByteArray(), headEnd, false, false, start);
        }
      }
      return answer(received.toByteArray(), headEnd, System.nanoTime() >= deadline, false, start);
    }
  }

  /** True when the body announced by Content-Length has fully arrived (the server may keep the connection open). */
  private static boolean complete(byte[] bytes, int headEnd) {
    String head = new String(bytes, 0, headEnd, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    if (head.startsWith("http/1.1 204") || head.startsWith("http/1.1 304")) return true;
    if (head.contains("\r\ntransfer-encoding: chunked")) {
      String tail = new String(bytes, Math.max(headEnd, bytes.length - 5), Math.min(5, bytes.length - headEnd),
          StandardCharsets.ISO_8859_1);
      return tail.equals("0\r\n\r\n");
    }
    int at = head.indexOf("\r\ncontent-length:");
    if (at < 0) return false;
    int end = head.indexOf("\r\n", at + 2);
    try {
      long length = Long.parseLong(head.substring(at + 17, end < 0 ? head.length() : end).trim());
      return bytes.length - (headEnd + 4) >= Math.min(length, KEEP - headEnd - 4);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static Answer answer(byte[] bytes, int headEnd, boolean hung, boolean reset, long start) {
    long millis = (System.nanoTime() - start) / 1_000_000;
    if (headEnd < 0) {
      int status = statusOf(new String(bytes, StandardCharsets.ISO_8859_1));
      return new Answer(status, new String(bytes, StandardCharsets.ISO_8859_1), new byte[0], hung, reset, millis);
    }
    String head = new String(bytes, 0, headEnd, StandardCharsets.ISO_8859_1);
    byte[] body = Arrays.copyOfRange(bytes, headEnd + 4, bytes.length);
    return new Answer(statusOf(head), head, body, hung, reset, millis);
  }

  private static int statusOf(String head) {
    if (!head.startsWith("HTTP/1.") || head.length() < 12) return -1;
    try {
      return Integer.parseInt(head.substring(9, 12));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }
}
