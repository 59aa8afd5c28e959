package io.rigserve.serving.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import org.slf4j.MDC;

/**
 * A request's trace context and its request id, carried together in one OpenTelemetry
 * {@link Context}. The router keeps the context of each request and {@linkplain #enter enters} it
 * in every callback, so log lines on whatever thread carry the request's ids in the MDC.
 */
public final class RequestContext {

  /** MDC keys of every log line written while a request's context is entered. */
  public static final String MDC_REQUEST_ID = "request_id";
  public static final String MDC_TRACE_ID = "trace_id";
  public static final String MDC_SPAN_ID = "span_id";

  private static final ContextKey<String> REQUEST_ID = ContextKey.named("rigserve-request-id");

  private RequestContext() {}

  static Context withRequestId(Context context, String requestId) {
    return context.with(REQUEST_ID, requestId);
  }

  /** The request id of {@code context}; empty outside a request. */
  public static String requestId(Context context) {
    String id = context.get(REQUEST_ID);
    return id == null ? "" : id;
  }

  /** The trace id of {@code context}; empty outside a trace. */
  public static String traceId(Context context) {
    SpanContext span = Span.fromContext(context).getSpanContext();
    return span.isValid() ? span.getTraceId() : "";
  }

  /**
   * Makes {@code context} current on this thread and puts its ids in the MDC, until the scope
   * closes (which restores what was there: callbacks may nest).
   */
  public static Scope enter(Context context) {
    String requestId = context.get(REQUEST_ID);
    if (requestId == null) return context.makeCurrent();
    SpanContext span = Span.fromContext(context).getSpanContext();
    String previousRequest = MDC.get(MDC_REQUEST_ID);
    String previousTrace = MDC.get(MDC_TRACE_ID);
    String previousSpan = MDC.get(MDC_SPAN_ID);
    MDC.put(MDC_REQUEST_ID, requestId);
    if (span.isValid()) {
      MDC.put(MDC_TRACE_ID, span.getTraceId());
      MDC.put(MDC_SPAN_ID, span.getSpanId());
    } else {
      MDC.remove(MDC_TRACE_ID);
      MDC.remove(MDC_SPAN_ID);
    }
    Scope current = context.makeCurrent();
    return () -> {
      current.close();
      restore(MDC_REQUEST_ID, previousRequest);
      restore(MDC_TRACE_ID, previousTrace);
      restore(MDC_SPAN_ID, previousSpan);
    };
  }

  private static void restore(String key, String value) {
    if (value == null) MDC.remove(key); else MDC.put(key, value);
  }
}
