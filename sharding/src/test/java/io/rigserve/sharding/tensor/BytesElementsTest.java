package io.rigserve.sharding.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
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

  @Test
  void aLengthOverIntRangeIsRefusedAsTheUnsignedNumberItSays() {
    byte[] flat = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'a'};
    assertEquals(Optional.of("BYTES element 0 declares 4294967295 bytes, 1 remain"), BytesElements.problem(flat, 1));
    assertThrows(IllegalArgumentException.class, () -> BytesElements.count(flat));
  }

  @Test
  void aShapeFarLargerThanTheDataStopsAtTheDataEnd() {
    byte[] flat = BytesElements.encode(new byte[][] {{'x'}});
    assertEquals(Optional.of("BYTES data ends before the length of element 1 of " + Long.MAX_VALUE),
        BytesElements.problem(flat, Long.MAX_VALUE));
    assertThrows(IllegalArgumentException.class, () -> BytesElements.decode(flat, Long.MAX_VALUE));
  }

  @Test
  void countAndVisitSeeEachElementInPlace() {
    byte[] flat = BytesElements.encode(new byte[][] {{'a', 'b'}, {}, {'c'}});
    assertEquals(3, BytesElements.count(flat));
    assertEquals(0, BytesElements.count(new byte[0]));
    List<String> seen = new ArrayList<>();
    BytesElements.forEach(flat, (data, offset, length) -> seen.add(new String(data, offset, length, StandardCharsets.US_ASCII)));
    assertEquals(List.of("ab", "", "c"), seen);
    assertEquals(Optional.empty(), BytesElements.problem(flat, 3));
    assertEquals(Optional.of("BYTES data has 5 bytes after its 2 elements"), BytesElements.problem(flat, 2));
  }

  @Test
  void appendWritesTheSameFramingAsEncode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] big = new byte[70_000];
    BytesElements.append(out, big);
    BytesElements.append(out, new byte[] {7});
    assertArrayEquals(BytesElements.encode(new byte[][] {big, {7}}), out.toByteArray());
  }

  @Test
  void aLengthPrefixCutShortIsRefused() {
    assertEquals(Optional.of("BYTES data ends before the length of element 0 of 1"), BytesElements.problem(new byte[] {1, 0}, 1));
    assertThrows(IllegalArgumentException.class, () -> BytesElements.count(new byte[] {1, 0}));
  }
}
