import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';

export { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';

/**
 * The deployable that made a span (router, orders, orders-worker, ...). A deployed process says so in
 * its resource's service.name too; this attribute also tells them apart where several run in one
 * process under one tracer provider, as in the tests.
 */
export const SERVICE_ATTRIBUTE = 'supergraph.service';

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Where the span hangs; the active context by default. */
  parent?: Context;
  /** Spans of other traces this one relates to, e.g. an untrusted caller's (untrustedCallerLinks). */
  links?: Link[];
}

/** The span the caller runs in, if any (a request's, a job's). */
export function activeSpan(): Span | undefined {
  return trace.getActiveSpan();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs `work` inside a new span, active for everything it awaits, and ends the span when `work`
 * settles. A throw marks the span failed, records the error on it, and is rethrown unchanged. Without
 * a registered tracer provider the span records nothing but still carries its parent's trace.
 */
export function withSpan<T>(
  tracerName: string,
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const spanOptions = {
    kind: options.kind ?? SpanKind.INTERNAL,
    attributes: options.attributes,
    links: options.links,
  };
  return trace.getTracer(tracerName).startActiveSpan(name, spanOptions, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : describe(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: describe(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
