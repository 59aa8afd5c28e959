package io.rigserve.serving.api.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.serving.TestRig.Reply;

/** Assertions on what a REST client sees. */
public final class RestAssertions {

  private RestAssertions() {}

  /** The reply has {@code status} and a JSON {@code error} containing {@code fragment}. */
  public static void assertError(int status, String fragment, Reply reply) {
    assertEquals(status, reply.status(), reply.body());
    assertTrue(reply.error().contains(fragment), "expected '" + fragment + "' in: " + reply.error());
  }
}
