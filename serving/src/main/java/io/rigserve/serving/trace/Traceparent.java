package io.rigserve.serving.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import java.util.HashMap;
import java.util.Map;

/** The W3C {@code traceparent} of the current span, as a stage message carries it to the rig that runs the stage. */
public final class Traceparent {

  private Traceparent() {}

  /** The current span's traceparent; "" outside a trace (nothing to continue, nothing sent). */
  public static String ofCurrent() {
    Context context = Context.current();
    if (!Span.fromContext(context).getSpanContext().isValid()) return "";
    Map<String, String> headers = new HashMap<>(2);
    W3CTraceContextPropagator.getInstance().inject(context, headers, Map::put);
    return headers.getOrDefault("traceparent", "");
  }
}
