package io.rigserve.cluster;

import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What failed behind the wrappers that futures and streams put around a failure. */
public final class Failures {

  private Failures() {}

  /** {@code failure} without its {@link CompletionException} / {@link ExecutionException} wrappers. */
  public static Throwable unwrap(Throwable failure) {
    Throwable e = failure;
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /** The first throwable of {@code type} in {@code failure}'s cause chain (streams wrap what a stage threw). */
  public static <T extends Throwable> Optional<T> find(Throwable failure, Class<T> type) {
    for (Throwable c = failure; c != null; c = c.getCause()) {
      if (type.isInstance(c)) return Optional.of(type.cast(c));
    }
    return Optional.empty();
  }

  /** The message to show for a failure: the unwrapped failure's message, else its type. */
  public static String describe(Throwable failure) {
    if (failure == null) return "unknown failure";
    Throwable e = unwrap(failure);
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
