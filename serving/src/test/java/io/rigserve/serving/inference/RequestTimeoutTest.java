package io.rigserve.serving.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rigserve.serving.error.InvalidInput;
import java.math.BigInteger;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestTimeoutTest {

  @Test
  void noTimeoutParameterOrZeroMeansNoClientDeadline() {
    assertEquals(Optional.empty(), RequestTimeout.of(Map.of()));
    assertEquals(Optional.empty(), RequestTimeout.of(Map.of("priority", 3L)));
    assertEquals(Optional.empty(), RequestTimeout.of(Map.of("timeout", 0L)));
  }

  @Test
  void aWholeNumberIsMicrosecondsAsTritonMeansIt() {
    assertEquals(Optional.of(Duration.ofMillis(250)), RequestTimeout.of(Map.of("timeout", 250_000L)));
    assertEquals(Optional.of(Duration.ofNanos(1_000)), RequestTimeout.of(Map.of("timeout", 1L)));
    assertEquals(Optional.of(Duration.ofSeconds(5)), RequestTimeout.of(Map.of("timeout", 5_000_000L)));
  }

  @Test
  void aUint64BeyondALongIsTheLongestDeadlineNotAWrappedOne() {
    Duration longest = RequestTimeout.of(Map.of("timeout", new BigInteger("18446744073709551615"))).orElseThrow();
    assertEquals(Duration.of(Long.MAX_VALUE, ChronoUnit.MICROS), longest);
  }

  @Test
  void anythingElseIsRefusedWithOneMessage() {
    for (Object bad : new Object[] {-5L, "100", 1.5, true, new BigInteger("18446744073709551616"), new BigInteger("-18446744073709551615")}) {
      InvalidInput e = assertThrows(InvalidInput.class, () -> RequestTimeout.of(Map.of("timeout", bad)), String.valueOf(bad));
      assertEquals("parameter 'timeout' must be a non-negative integer number of microseconds (0: the default timeout)",
          e.getMessage());
    }
  }
}
