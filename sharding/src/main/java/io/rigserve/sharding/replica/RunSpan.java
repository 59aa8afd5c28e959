package io.rigserve.sharding.replica;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;

/**
 * The span of one stage on the rig that runs it: a child of the gateway's stage attempt, whose
 * context arrives in the {@link PartitionReplica.Run} as a W3C {@code traceparent}. A run that
 * came without one (or with one that does not parse) is not traced: no span, no cost.
 */
final class RunSpan {

  /** Longest traceparent read: version 00 takes 55 characters; a later version may add fields, a peer may send anything. */
  static final int MAX_TRACEPARENT = 256;

  static final AttributeKey<String> REPLICA = AttributeKey.stringKey("rigserve.replica");
  static final AttributeKey<String> RIG = AttributeKey.stringKey("rigserve.rig");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("rigserve.outcome");

  private static final RunSpan NONE = new RunSpan(Span.getInvalid());

  private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(String carrier) {
      return List.of("traceparent");
    }

    @Override
    public String get(String carrier, String key) {
      return "traceparent".equals(key) ? carrier : null;
    }
  };

  private final Span span;

  private RunSpan(Span span) {
    this.span = span;
  }

  static RunSpan start(Tracer tracer, String traceparent, ReplicaId replica, String rig) {
    if (traceparent == null || traceparent.isEmpty() || traceparent.length() > MAX_TRACEPARENT) return NONE;
    Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, TRACEPARENT);
    if (!Span.fromContext(parent).getSpanContext().isValid()) return NONE;
    return new RunSpan(tracer.spanBuilder("replica run")
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute(REPLICA, replica.entityId())
        .setAttribute(RIG, rig)
        .startSpan());
  }

  void event(String name) {
    span.addEvent(name);
  }

  /** Ends the span with the answer the caller gets. */
  void end(StageResult result) {
    if (result instanceof StageResult.Failed failed) {
      span.setAttribute(OUTCOME, failed.reason().name());
      if (failed.reason() == StageResult.Reason.RUNTIME_ERROR) span.setStatus(StatusCode.ERROR, String.valueOf(failed.message()));
    } else {
      span.setAttribute(OUTCOME, "output");
    }
    span.end();
  }
}
