import {
  context,
  createContextKey,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Link,
  type SpanContext,
} from '@opentelemetry/api';

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
 * Where a caller's span context is set aside when its `traceparent` is not trusted: not in the
 * parent's place, so that the request starts a trace of its own, but kept to link that trace to it.
 */
const UNTRUSTED_CALLER = createContextKey('@supergraph/telemetry untrusted caller');

/** `ctx` remembering an untrusted caller's span context, if there is a valid one, for a link. */
export function withUntrustedCaller(ctx: Context, caller: SpanContext | undefined): Context {
  return caller && trace.isSpanContextValid(caller) ? ctx.setValue(UNTRUSTED_CALLER, caller) : ctx;
}

/** A link to the untrusted caller set aside in `parent`, for the span of the trace started in its place. */
export function untrustedCallerLinks(parent: Context): Link[] {
  const caller = parent.getValue(UNTRUSTED_CALLER) as SpanContext | undefined;
  return caller ? [{ context: caller }] : [];
}

export interface IncomingRequestOptions {
  /**
   * Whether the caller's `traceparent` is continued (the default: a subgraph's caller is the router
   * or another subgraph). False for a public caller: the request starts a trace of its own, with its
   * own id and its own sampling decision, and links to the caller's; a client can neither choose our
   * trace ids nor make every process record its requests by sending the sampled flag.
   */
  trustTraceContext?: boolean;
}

/**
 * The context a request handler runs in. When an instrumentation already opened a span for this
 * request (the HTTP server instrumentation, in a deployed process), that span is the parent; it read
 * the caller's `traceparent` itself, through the propagator startTelemetry registered, which
 * continues callers or not as the process's `trustIncomingTraceContext` says. Otherwise the
 * `traceparent` header is read here, so the trace continues (or not) whether or not
 * auto-instrumentation runs (it cannot under jest).
 */
export function incomingRequestContext(headers: Headers, options: IncomingRequestOptions = {}): Context {
  const active = context.active();
  if (trace.getSpan(active)) return active;
  const extracted = propagation.extract(active, headers);
  if (options.trustTraceContext !== false) return extracted;
  return withUntrustedCaller(trace.deleteSpan(extracted), trace.getSpanContext(extracted));
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
