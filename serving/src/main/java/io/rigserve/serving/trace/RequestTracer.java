package io.rigserve.serving.trace;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Starts the trace of each inference request, for both front ends: the server span continues the
 * client's W3C {@code traceparent} / {@code tracestate} (a new trace when absent or malformed),
 * and the request gets its {@link RequestId}. With {@link OpenTelemetry#noop()} spans cost next
 * to nothing and nothing is exported.
 */
public final class RequestTracer {

  /** The instrumentation scope of the gateway's spans (request and stage attempts). */
  public static final String SCOPE = "io.rigserve.serving";

  public static final String REQUEST_ID_HEADER = "x-request-id";
  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("rigserve.request_id");
  static final AttributeKey<String> MODEL = AttributeKey.stringKey("rigserve.model");

  /** Headers of the client, by lower-case name; null when absent. */
  private static final TextMapGetter<UnaryOperator<String>> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(UnaryOperator<String> carrier) {
      return List.of("traceparent", "tracestate");
    }

    @Override
    public String get(UnaryOperator<String> carrier, String key) {
      return carrier == null ? null : carrier.apply(key);
    }
  };

  private final Tracer tracer;

  public RequestTracer(OpenTelemetry telemetry) {
    this.tracer = telemetry.getTracer(SCOPE);
  }

  /** No spans, no export: request ids only. */
  public static RequestTracer untraced() {
    return new RequestTracer(OpenTelemetry.noop());
  }

  /** The tracer for spans inside a request (the router's stage attempts). */
  public Tracer tracer() {
    return tracer;
  }

  /**
   * Starts the server span {@code name} of a request to {@code model}; {@code header} gives the
   * client's headers (or gRPC metadata) by lower-case name, null when absent.
   */
  public RequestTrace start(String name, String model, UnaryOperator<String> header) {
    Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), header, HEADERS);
    Span span = tracer.spanBuilder(name)
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute(MODEL, model)
        .startSpan();
    return new RequestTrace(span, RequestId.choose(null, header.apply(REQUEST_ID_HEADER)));
  }
}
