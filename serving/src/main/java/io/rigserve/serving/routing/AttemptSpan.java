package io.rigserve.serving.routing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.Optional;

/**
 * The span of one stage attempt on one replica, a child of the request's span: where it went
 * (replica, region, partition, round) and how it ended. A failover is an event of the request's
 * span, naming the replica left, why, and the one the stage was replayed on.
 */
final class AttemptSpan {

  static final AttributeKey<String> MODEL = AttributeKey.stringKey("rigserve.model");
  static final AttributeKey<Long> PARTITION = AttributeKey.longKey("rigserve.partition");
  static final AttributeKey<String> REPLICA = AttributeKey.stringKey("rigserve.replica");
  static final AttributeKey<String> REGION = AttributeKey.stringKey("rigserve.region");
  static final AttributeKey<Long> ROUND = AttributeKey.longKey("rigserve.round");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("rigserve.outcome");
  static final AttributeKey<String> FROM = AttributeKey.stringKey("rigserve.failover.from");
  static final AttributeKey<String> REASON = AttributeKey.stringKey("rigserve.failover.reason");
  static final AttributeKey<String> TO = AttributeKey.stringKey("rigserve.failover.to");

  private final Span span;
  private final Context context;

  private AttemptSpan(Span span, Context context) {
    this.span = span;
    this.context = context;
  }

  static AttemptSpan start(Tracer tracer, Context request, String model, String version, int partition,
      StageTarget target, int round) {
    Span span = tracer.spanBuilder("stage attempt")
        .setParent(request)
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(MODEL, model + "@" + version)
        .setAttribute(PARTITION, (long) partition)
        .setAttribute(REPLICA, target.describe())
        .setAttribute(REGION, target.region())
        .setAttribute(ROUND, (long) round)
        .startSpan();
    return new AttemptSpan(span, request.with(span));
  }

  /** The request's context with this attempt's span current: what the stage message carries on. */
  Context context() {
    return context;
  }

  /** Ends the attempt: {@code outcome} is "output" or why it failed. */
  void end(String outcome, boolean failed) {
    span.setAttribute(OUTCOME, outcome);
    if (failed) span.setStatus(StatusCode.ERROR, outcome);
    span.end();
  }

  /** Records on the request's span that the stage left {@code from}, and where it went next. */
  static void failover(Context request, String from, String reason, Optional<String> to) {
    Span.fromContext(request).addEvent("failover", Attributes.of(FROM, from, REASON, reason, TO, to.orElse("")));
  }
}
