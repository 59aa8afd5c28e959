package io.rigserve.serving.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rigserve.serving.error.InvalidInput;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestTimeoutTest {

  @Test
  void noTimeoutParameterMeansNoClientDeadline() {
    assertEquals(Optional.empty(), RequestTimeout.of(Map.of()));
    assertEquals(Optional.empty(), RequestTimeout.of(Map.of("priority", 3L)));
  }

  @Test
  void aPositiveWholeNumberIsMilliseconds() {
    assertEquals(Optional.of(Duration.ofMillis(250)), RequestTimeout.of(Map.of("timeout", 250L)));
    assertEquals(Optional.of(Duration.ofMillis(1)), RequestTimeout.of(Map.of("timeout", 1L)));
  }

  @Test
  void anythingElseIsRefusedWithOneMessage() {
    for (Object bad : new Object[] {0L, -5L, "100", 1.5, true}) {
      InvalidInput e = assertThrows(InvalidInput.class, () -> RequestTimeout.of(Map.of("timeout", bad)), String.valueOf(bad));
      assertEquals("parameter 'timeout' must be a positive integer number of milliseconds", e.getMessage());
    }
  }
}
