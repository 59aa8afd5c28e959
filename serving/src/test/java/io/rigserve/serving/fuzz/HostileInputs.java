package io.rigserve.serving.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Values an attacker would try, drawn from one {@link Random}: strings, numbers, path segments,
 * and mutations of valid bytes. Everything depends only on the generator, so one seed and one
 * input index replay an input exactly.
 */
final class HostileInputs {

  private static final List<String> STRINGS = List.of(
      "", " ", "0", "-1", "null", "true", "[]", "{}", "\"", "\\", "'", "%", "%s%s%n%x", "${jndi:ldap://127.0.0.1/x}",
      "../../../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/passwd", "file:///etc/passwd", "C:\\boot.ini",
      "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%252e%252e%252f", "..%c0%af..%c0%af", "%00", "a\u0000b", "\r\nX-Injected: 1",
      "\u202e\u0645\u0631\u062d\u0628\u0627", "\ud83d\ude00\ud83d\udc80", "\ufeff", "\uffff\ufffe", "e\u0301\u0301\u0301",
      "*/_ORT_MEM_ADDR_/*", "/proc/self/mem", "/dev/zero", "CON", "mlp", "types", "cast", "conv", "mlp/../cast",
      "FP32", "BYTES", "INT64", "fp32", "FLOAT", "1", "9223372036854775807", "-9223372036854775808", "NaN", "Infinity");

  private static final List<String> NUMBERS = List.of(
      "0", "-0", "1", "-1", "2", "3", "4", "7", "8", "64", "255", "256", "65535", "2147483647", "2147483648",
      "-2147483649", "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
      "18446744073709551616", "123456789012345678901234567890123456789", "1e309", "-1e309", "1e-400", "1.5",
      "-0.0", "3.4028235e38", "4e38", "1E400", "0.000000000000000000000000001", "1e2147483648");

  final Random random;

  HostileInputs(Random random) {
    this.random = random;
  }

  boolean chance(double p) {
    return random.nextDouble() < p;
  }

  int below(int n) {
    return random.nextInt(n);
  }

  <T> T pick(List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }

  @SafeVarargs
  final <T> T pick(T... choices) {
    return choices[random.nextInt(choices.length)];
  }

  /** A hostile string: a classic, a long run, random code points, or unpaired surrogates. */
  String string() {
    return switch (below(6)) {
      case 0, 1, 2 -> pick(STRINGS);
      case 3 -> "A".repeat(chance(0.05) ? pick(65_536, 100_000) : pick(1, 255, 256, 1024, 8192, 8193));
      case 4 -> randomCodePoints(1 + below(40));
      default -> pick(STRINGS) + pick(STRINGS) + (chance(0.5) ? "\ud800" : "\udfff");
    };
  }

  /** A number as JSON text: edges of every integer width, overflows, huge exponents. */
  String numberText() {
    return chance(0.8) ? pick(NUMBERS) : Long.toString(random.nextLong() >> below(64));
  }

  /** A long that breaks shapes: negative, zero, huge, or an ordinary small dimension. */
  long dimension() {
    return switch (below(8)) {
      case 0 -> -1;
      case 1 -> 0;
      case 2 -> Long.MAX_VALUE;
      case 3 -> Long.MIN_VALUE;
      case 4 -> 1L << below(63);
      case 5 -> Integer.MAX_VALUE + (long) below(3);
      default -> below(9);
    };
  }

  /** A path segment for a route parameter: a hostile string, percent-encoded or raw. */
  String segment() {
    String s = string();
    if (s.length() > 300 && chance(0.7)) s = s.substring(0, 300);
    return switch (below(4)) {
      case 0 -> s;
      case 1 -> percentEncode(s);
      case 2 -> percentEncode(percentEncode(s));
      default -> s.replace("/", "%2F").replace(" ", "%20");
    };
  }

  String randomCodePoints(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      int cp = switch (below(4)) {
        case 0 -> below(0x80);
        case 1 -> below(0x800);
        case 2 -> 0xD7FF - below(0x800);
        default -> 0x10000 + below(0x10FFFF - 0x10000);
      };
      b.appendCodePoint(cp);
    }
    return b.toString();
  }

  static String percentEncode(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) b.append('%').append(String.format("%02X", x & 0xff));
    return b.toString();
  }

  /** Random bytes of a random, mostly small, length. */
  byte[] bytes() {
    byte[] b = new byte[chance(0.03) ? below(70_000) : pick(0, 1, 2, 5, 16, 100, 1000, below(4096))];
    random.nextBytes(b);
    return b;
  }

  /** One to a few mutations of {@code valid}: bit flips, truncation, insertion, deletion, duplication, splices of interesting bytes. */
  byte[] mutate(byte[] valid) {
    byte[] b = valid.clone();
    int rounds = 1 + (chance(0.3) ? below(8) : 0);
    for (int k = 0; k < rounds; k++) b = mutateOnce(b);
    return b;
  }

  private byte[] mutateOnce(byte[] b) {
    if (b.length == 0) return bytes();
    int at = below(b.length);
    switch (below(7)) {
      case 0 -> b[at] ^= (byte) (1 << below(8));
      case 1 -> b = Arrays.copyOf(b, at);
      case 2 -> {
        byte[] insert = chance(0.5) ? new byte[] {(byte) (int) pick(0x00, 0xff, 0x7f, 0x80, 0x0a, 0x0d, 0x22, 0x5c, 0x7b, 0x5b)}
            : Arrays.copyOf(bytes(), 1 + below(16));
        b = splice(b, at, 0, insert);
      }
      case 3 -> b = splice(b, at, Math.min(b.length - at, 1 + below(32)), new byte[0]);
      case 4 -> {
        int len = Math.min(b.length - at, 1 + below(64));
        byte[] copy = Arrays.copyOfRange(b, at, at + len);
        b = splice(b, at, 0, copy);
      }
      case 5 -> b[at] = (byte) (int) pick(0x00, 0xff, 0x7f, 0x80, 0xfe, 0x01);
      default -> {
        // Varint-shaped bytes: what turns a protobuf or Kryo length into a huge one.
        byte[] varint = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) (int) pick(0x07, 0x0f, 0x7f)};
        b = splice(b, at, Math.min(b.length - at, below(3)), varint);
      }
    }
    return b;
  }

  static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
    byte[] out = new byte[b.length - remove + insert.length];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
    return out;
  }
}
