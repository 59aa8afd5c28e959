package io.rigserve.sharding.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BytesElementsTest {

  @Test
  void elementsRoundTripWithLittleEndianLengthPrefixes() {
    byte[][] elements = {{'a', 'b'}, {}, {(byte) 0xff}};
    byte[] flat = BytesElements.encode(elements);
    assertArrayEquals(new byte[] {2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0, 1, 0, 0, 0, (byte) 0xff}, flat);
    assertArrayEquals(elements, BytesElements.decode(flat, 3));
  }

  @Test
  void dataCutShortOrLongerThanItsElementsIsRefused() {
    byte[] flat = BytesElements.encode(new byte[][] {{1, 2, 3}});
    assertThrows(IllegalArgumentException.class, () -> BytesElements.decode(flat, 2));
    assertThrows(IllegalArgumentException.class, () -> BytesElements.decode(flat, 0));
    byte[] truncated = Arrays.copyOf(flat, flat.length - 1);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BytesElements.decode(truncated, 1));
    assertTrue(e.getMessage().contains("declares 3 bytes"), e.getMessage());
  }

  @Test
  void aHugeLengthPrefixIsRefusedWithoutAllocating() {
    byte[] flat = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f};
    assertThrows(IllegalArgumentException.class, () -> BytesElements.decode(flat, 1));
  }
}
