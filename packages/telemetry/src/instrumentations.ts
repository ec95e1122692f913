import type { Instrumentation } from '@opentelemetry/instrumentation';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

/** Probes and scrapes arrive every few seconds; a span for each would bury the requests that matter. */
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics']);

function pathOf(url: string | undefined): string {
  return new URL(url ?? '/', 'http://localhost').pathname;
}

/** An undici request's headers: a `name: value\r\n` string, or a flat [name, value, ...] list. */
function hasTraceparent(headers: string | Array<string | string[]>): boolean {
  if (typeof headers === 'string') return /(^|\r\n)traceparent:/i.test(headers);
  return headers.some((entry, index) => index % 2 === 0 && String(entry).toLowerCase() === 'traceparent');
}

/**
 * What a process patches as its modules load: incoming HTTP, fetch (undici), GraphQL execution,
 * Postgres and Redis. Queries and commands are traced only inside a trace (`requireParentSpan`):
 * BullMQ polls Redis and the relay polls Postgres all the time, and each poll would otherwise be a
 * trace of its own.
 */
export function createInstrumentations(): Instrumentation[] {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has(pathOf(request.url)),
    }),
    new UndiciInstrumentation({
      // The router and the signed GraphQL client open a client span of their own and inject its
      // traceparent; a second one from here would be a duplicate header the callee cannot parse.
      ignoreRequestHook: (request) => hasTraceparent(request.headers),
    }),
    new GraphQLInstrumentation({ ignoreTrivialResolveSpans: true, mergeItems: true }),
    new PgInstrumentation({ requireParentSpan: true }),
    new IORedisInstrumentation({ requireParentSpan: true }),
  ];
}
