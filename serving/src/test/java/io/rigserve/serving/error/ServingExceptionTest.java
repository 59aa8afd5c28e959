package io.rigserve.serving.error;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServingExceptionTest {

  @Test
  void everyKindHasExactlyOneExceptionType() throws Exception {
    Set<ErrorKind> seen = EnumSet.noneOf(ErrorKind.class);
    for (Class<?> type : ServingException.class.getPermittedSubclasses()) {
      ServingException e = (ServingException) type.getConstructor(String.class).newInstance("why");
      assertEquals("why", e.getMessage());
      assertEquals(true, seen.add(e.kind()), type.getSimpleName() + " repeats kind " + e.kind());
      ServingException withCause = (ServingException) type.getConstructor(String.class, Throwable.class)
          .newInstance("why", new IllegalStateException());
      assertEquals(e.kind(), withCause.kind());
    }
    assertEquals(EnumSet.allOf(ErrorKind.class), seen);
  }
}
