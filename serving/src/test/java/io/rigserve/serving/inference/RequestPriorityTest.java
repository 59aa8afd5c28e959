package io.rigserve.serving.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rigserve.serving.error.InvalidInput;
import java.math.BigInteger;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestPriorityTest {

  @Test
  void noPriorityIsTheDefaultLevelZero() {
    assertEquals(0, RequestPriority.of(Map.of()));
    assertEquals(0, RequestPriority.of(Map.of("timeout", 7L)));
  }

  @Test
  void anUnsignedIntegerUpToUint64MaxIsAccepted() {
    assertEquals(1, RequestPriority.of(Map.of("priority", 1L)));
    assertEquals("18446744073709551615",
        Long.toUnsignedString(RequestPriority.of(Map.of("priority", new BigInteger("18446744073709551615")))));
  }

  @Test
  void negativeOrNonIntegerPrioritiesAreRefused() {
    for (Object bad : new Object[] {-1L, "1", 2.0, false, new BigInteger("18446744073709551616")}) {
      InvalidInput e = assertThrows(InvalidInput.class, () -> RequestPriority.of(Map.of("priority", bad)), String.valueOf(bad));
      assertEquals("parameter 'priority' must be a non-negative integer (0: the default priority)", e.getMessage());
    }
  }
}
