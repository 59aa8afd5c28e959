package io.rigserve.serving.trust;

/**
 * Who was wrong when the served replica and a checker disagreed, by a third owner's replica: the
 * one the arbiter agrees with is right. An arbiter that agrees with both (answers near the
 * tolerance's edge) or with neither settles nothing.
 */
public enum Blame {
  /** The replica that answered was wrong. */
  SERVED,
  /** The checker was wrong; the answer stands. */
  CHECKER,
  /** Nobody can be blamed. */
  UNSETTLED;

  public static Blame of(boolean arbiterAgreesWithServed, boolean arbiterAgreesWithChecker) {
    if (arbiterAgreesWithServed == arbiterAgreesWithChecker) return UNSETTLED;
    return arbiterAgreesWithChecker ? SERVED : CHECKER;
  }
}
