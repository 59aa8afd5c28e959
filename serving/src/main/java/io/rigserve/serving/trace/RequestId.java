package io.rigserve.serving.trace;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The id a request is known by in logs, the routing journal and its answer: the client's OIP
 * {@code id}, else its {@code X-Request-ID}, else one made here. A client's id is taken only when
 * it is short and printable ASCII, so it cannot forge log lines or bloat every one of them.
 */
public final class RequestId {

  /** Longest client id taken; a longer one is replaced by a generated id. */
  public static final int MAX_LENGTH = 128;

  private RequestId() {}

  /** The first usable of {@code oipId} and {@code header}, else a new id. */
  public static String choose(String oipId, String header) {
    if (usable(oipId)) return oipId;
    if (usable(header)) return header;
    return generated();
  }

  static boolean usable(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) return false;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < 0x21 || c > 0x7e) return false;
    }
    return true;
  }

  /** 128 random bits in hex: unique enough to find a request, cheaper than a UUID's secure random. */
  static String generated() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return String.format("%016x%016x", random.nextLong(), random.nextLong());
  }
}
