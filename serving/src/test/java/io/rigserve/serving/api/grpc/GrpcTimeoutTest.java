package io.rigserve.serving.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GrpcTimeoutTest {

  @Test
  void eachUnitOfTheHeaderIsRead() {
    assertEquals(Optional.of(Duration.ofHours(2)), GrpcTimeout.parse("2H"));
    assertEquals(Optional.of(Duration.ofMinutes(3)), GrpcTimeout.parse("3M"));
    assertEquals(Optional.of(Duration.ofSeconds(4)), GrpcTimeout.parse("4S"));
    assertEquals(Optional.of(Duration.ofMillis(500)), GrpcTimeout.parse("500m"));
    assertEquals(Optional.of(Duration.ofNanos(7_000)), GrpcTimeout.parse("7u"));
    assertEquals(Optional.of(Duration.ofNanos(99_999_999)), GrpcTimeout.parse("99999999n"));
  }

  @Test
  void aMalformedHeaderIsNoDeadline() {
    for (String bad : new String[] {null, "", "5", "S", "0S", "-1S", "123456789S", "5x", "1.5S"}) {
      assertEquals(Optional.empty(), GrpcTimeout.parse(bad), bad);
    }
  }
}
