package io.rigserve.serving.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One inference request as traced on its gateway: its server span and request id. The front end
 * {@linkplain #call calls} the core inside it (the router keeps the context for its callbacks)
 * and {@linkplain #end ends} it with the status the client got.
 */
public final class RequestTrace {

  private final Span span;
  private volatile String requestId;

  RequestTrace(Span span, String requestId) {
    this.span = span;
    this.requestId = requestId;
    span.setAttribute(RequestTracer.REQUEST_ID, requestId);
  }

  public String requestId() {
    return requestId;
  }

  /** The client named the request in the protocol ({@code id}): that id wins over the header's. */
  public void identify(String oipId) {
    if (!RequestId.usable(oipId) || oipId.equals(requestId)) return;
    requestId = oipId;
    span.setAttribute(RequestTracer.REQUEST_ID, oipId);
  }

  /** The context the request runs in: its span and its id. */
  public Context context() {
    return RequestContext.withRequestId(Context.root().with(span), requestId);
  }

  /** Runs {@code call} in the request's context; a call that throws becomes a failed stage. */
  public <T> CompletionStage<T> call(Supplier<CompletionStage<T>> call) {
    try (Scope scope = RequestContext.enter(context())) {
      return call.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Ends the request's span with the protocol's status {@code code} (an error when {@code failed}). */
  public void end(AttributeKey<Long> status, long code, boolean failed) {
    span.setAttribute(status, code);
    if (failed) span.setStatus(StatusCode.ERROR);
    span.end();
  }
}
