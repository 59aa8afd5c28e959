package io.rigserve.serving.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RequestIdTest {

  @Test
  void theProtocolIdWinsOverTheHeaderWhichWinsOverAGeneratedId() {
    assertEquals("oip-1", RequestId.choose("oip-1", "hdr-1"));
    assertEquals("hdr-1", RequestId.choose("", "hdr-1"));
    assertEquals("hdr-1", RequestId.choose(null, "hdr-1"));
    String generated = RequestId.choose("", null);
    assertTrue(generated.matches("[0-9a-f]{32}"), generated);
    assertNotEquals(generated, RequestId.choose("", null));
  }

  @Test
  void anIdTooLongOrWithSpacesOrControlCharactersIsNotTaken() {
    assertEquals("hdr-1", RequestId.choose("a".repeat(RequestId.MAX_LENGTH + 1), "hdr-1"));
    assertEquals("hdr-1", RequestId.choose("two words", "hdr-1"));
    assertEquals("hdr-1", RequestId.choose("forged\nlog line", "hdr-1"));
    assertEquals("hdr-1", RequestId.choose("caf\u00e9", "hdr-1"));
    assertTrue(RequestId.choose("", "x".repeat(10_000)).matches("[0-9a-f]{32}"));
    assertEquals("a".repeat(RequestId.MAX_LENGTH), RequestId.choose("a".repeat(RequestId.MAX_LENGTH), null));
  }
}
