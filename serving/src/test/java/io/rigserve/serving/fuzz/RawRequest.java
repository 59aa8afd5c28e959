package io.rigserve.serving.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An HTTP/1.1 request as bytes, built from parts an attacker controls: any method token, any
 * request target, any headers (also lying Content-Length, broken chunking, oversized ones) and
 * any body. {@code Connection: close} always follows the request line, so an answer ends with
 * the connection.
 */
final class RawRequest {

  private final String method;
  private final String target;
  private final List<String> headers = new ArrayList<>();
  private byte[] body;
  private boolean lengthGiven;
  private boolean chunked;
  private byte[] rawBody;

  RawRequest(String method, String target, byte[] body) {
    this.method = method;
    this.target = target;
    this.body = body;
  }

  RawRequest header(String name, String value) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.equals("content-length")) lengthGiven = true;
    if (lower.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) chunked = true;
    headers.add(name + ": " + value);
    return this;
  }

  /** The body sent exactly as given (after the headers), whatever the headers announce. */
  RawRequest rawBody(byte[] bytes) {
    rawBody = bytes;
    return this;
  }

  /** Header mutations of an otherwise valid request: what clients and proxies get wrong, and what attackers try. */
  RawRequest withHostileHeaders(HostileInputs in) {
    switch (in.below(12)) {
      case 0 -> header("Content-Type", in.pick("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
          "application/json; charset=utf-16", "application/json; charset=nonsense", "application/octet-stream", "*/*", "", "json"));
      case 1 -> header("Content-Encoding", in.pick("gzip", "deflate", "br", "identity, gzip", "x-unknown"));
      case 2 -> header("Content-Length", in.pick("-1", "0", "1", "99999999999999999999", "abc", " 5", "1, 2",
          Integer.toString(Math.max(0, body.length - 1 - in.below(10))), Integer.toString(body.length + 1 + in.below(1000))));
      case 3 -> {
        header("Transfer-Encoding", "chunked");
        rawBody(chunks(in));
      }
      case 4 -> header("Transfer-Encoding", in.pick("gzip, chunked", "chunked, identity", "x", "chunked\u0000"))
          .header("Content-Length", Integer.toString(body.length));
      case 5 -> header("X-Big", "a".repeat(in.pick(4_000, 8_192, 9_000, 16_384, 65_536, 300_000)));
      case 6 -> {
        int n = in.pick(50, 100, 101, 200, 1000);
        for (int i = 0; i < n; i++) header("X-Many-" + i, "v");
      }
      case 7 -> header("Expect", in.pick("100-continue", "200-ok", ""));
      case 8 -> header(in.pick("Host", "Content-Type", "Authorization", "Accept", "Accept-Encoding", "Cookie", "Range",
          "If-None-Match", "Upgrade", "X-Forwarded-For", "Origin"), in.string().replace("\r", "").replace("\n", ""));
      case 9 -> header(in.randomCodePoints(1 + in.below(10)).replace(":", ""), in.string());
      case 10 -> header("Upgrade", in.pick("h2c", "websocket")).header("HTTP2-Settings", in.pick("AAMAAABkAARAAAAAAAIAAAAA", "!!"));
      default -> header("Content-Type", "application/json").header("Content-Type", "text/plain");
    }
    return this;
  }

  /** The body as chunks: valid, or with lying sizes, bad hex, missing terminator, or extensions and trailers. */
  private byte[] chunks(HostileInputs in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = 0;
    while (at < body.length) {
      int n = Math.min(body.length - at, 1 + in.below(Math.max(1, body.length)));
      out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body, at, n);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      at += n;
    }
    String end = "0\r\n\r\n";
    if (in.chance(0.6)) {
      String broken = in.pick("ffffffffffffffff\r\n", "zz\r\n", "-1\r\n", "1;ext=" + "e".repeat(10_000) + "\r\nx\r\n",
          "0\r\nX-Trailer: " + "t".repeat(20_000) + "\r\n\r\n", "", "0\r\n", "5\r\nab", "7fffffff\r\nabc\r\n");
      return (out + broken).getBytes(StandardCharsets.ISO_8859_1);
    }
    out.writeBytes(end.getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes((method + " " + target + " HTTP/1.1\r\nConnection: close\r\nHost: 127.0.0.1\r\n")
        .getBytes(StandardCharsets.UTF_8));
    for (String h : headers) out.writeBytes((h + "\r\n").getBytes(StandardCharsets.UTF_8));
    if (!lengthGiven && !chunked) out.writeBytes(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(rawBody != null ? rawBody : body);
    return out.toByteArray();
  }

  /** The whole request with byte mutations after its {@code Connection: close} line (so the answer still ends). */
  byte[] toMutatedBytes(HostileInputs in) {
    byte[] all = toBytes();
    String text = new String(all, StandardCharsets.ISO_8859_1);
    int keep = text.indexOf("Connection: close\r\n") + "Connection: close\r\n".length();
    byte[] head = Arrays.copyOf(all, keep);
    if (in.chance(0.2)) {
      byte[] requestLine = in.mutate(text.substring(0, text.indexOf("\r\n")).getBytes(StandardCharsets.ISO_8859_1));
      head = (new String(requestLine, StandardCharsets.ISO_8859_1) + "\r\nConnection: close\r\n")
          .getBytes(StandardCharsets.ISO_8859_1);
    }
    byte[] tail = in.mutate(Arrays.copyOfRange(all, keep, all.length));
    byte[] out = new byte[head.length + tail.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(tail, 0, out, head.length, tail.length);
    return out;
  }

  @Override
  public String toString() {
    return method + " " + target + " " + headers + " body " + (rawBody != null ? rawBody.length : body.length) + " bytes: "
        + new String(rawBody != null ? rawBody : body, 0, Math.min(300, (rawBody != null ? rawBody : body).length),
            StandardCharsets.UTF_8);
  }
}
