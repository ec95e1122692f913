import { context, propagation, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';

// Trace context crosses process boundaries in the W3C `traceparent` format: in HTTP headers between
// the router and the subgraphs, and inside event envelopes through the outbox and the queues. The
// propagator registered by startTelemetry does the parsing and formatting; none is written here.

/** Node's incoming headers: names in lower case, a repeated header as an array. */
type Headers = Record<string, string | string[] | undefined>;

/** Adds the active trace context (`traceparent`) to outgoing request headers. */
export function injectTraceContext(headers: Record<string, string>): Record<string, string> {
  propagation.inject(context.active(), headers);
  return headers;
}

/**
 * The context a request handler runs in. When an instrumentation already opened a span for this
 * request (the HTTP server instrumentation, in a deployed process), that span is the parent; it read
 * the caller's `traceparent` itself. Otherwise the `traceparent` header is read here, so the trace
 * continues whether or not auto-instrumentation runs (it cannot under jest).
 */
export function incomingRequestContext(headers: Headers): Context {
  const active = context.active();
  if (trace.getSpan(active)) return active;
  return propagation.extract(active, headers);
}

/** The active context as a `traceparent` value, to store beside work that continues later (an event). */
export function activeTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/**
 * The context a stored `traceparent` describes, to start the span that continues it; the empty root
 * context when there is none, so the work starts a trace of its own rather than joining whatever
 * happens to be active.
 */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

/** The active span's ids, as log lines carry them; empty outside any trace. */
export function currentTraceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const ids = span.spanContext();
  if (!trace.isSpanContextValid(ids)) return {};
  return { trace_id: ids.traceId, span_id: ids.spanId };
}
