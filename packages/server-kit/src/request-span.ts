import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  activeSpan,
  incomingRequestContext,
  SERVICE_ATTRIBUTE,
  SpanKind,
  SpanStatusCode,
  untrustedCallerLinks,
  withSpan,
  type IncomingRequestOptions,
} from '@supergraph/telemetry';
import type { ApolloServerPlugin } from '@apollo/server';
import { responseErrorCodes } from './response-errors.ts';

const TRACER = '@supergraph/server-kit';

/** Codes that mean the server failed, not the caller: they mark the operation's span as failed. */
const SERVER_FAILURES = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE']);

/**
 * Handles one GraphQL request inside its span: a child of the caller's `traceparent` (the router's,
 * for a subgraph), so everything the request does and logs belongs to the caller's trace. A caller
 * not trusted with its trace context (`trustTraceContext: false`: a public client of the router,
 * unless TRUST_CLIENT_TRACE_CONTEXT) gets a trace of our own instead, whose request span links to
 * its context. `operationSpanPlugin` names the span after the operation.
 */
export function inRequestSpan(
  service: string,
  req: IncomingMessage,
  res: ServerResponse,
  handle: () => Promise<void>,
  options: IncomingRequestOptions = {},
): Promise<void> {
  const parent = incomingRequestContext(req.headers, options);
  // Under the HTTP instrumentation's own server span (a deployed process) this one is its child.
  const local = activeSpan() !== undefined;
  const attributes = {
    [SERVICE_ATTRIBUTE]: service,
    'http.request.method': req.method ?? 'GET',
    'url.path': new URL(req.url ?? '/', 'http://localhost').pathname,
  };
  const kind = local ? SpanKind.INTERNAL : SpanKind.SERVER;
  const spanOptions = { kind, attributes, parent, links: untrustedCallerLinks(parent) };
  return withSpan(TRACER, `${req.method ?? 'GET'} /graphql`, spanOptions, async (span) => {
    await handle();
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  });
}

/**
 * Names the request's span after its operation (`mutation PlaceOrder`, as OpenTelemetry's GraphQL
 * conventions have it), and marks it failed when the server failed.
 */
export const operationSpanPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    const span = activeSpan();
    if (!span) return {};
    return {
      async didResolveOperation({ operation, operationName }) {
        if (!operation) return;
        span.setAttribute('graphql.operation.type', operation.operation);
        if (operationName) span.setAttribute('graphql.operation.name', operationName);
        span.updateName(operationName ? `${operation.operation} ${operationName}` : operation.operation);
      },
      async willSendResponse({ response }) {
        const codes = [...new Set(responseErrorCodes(response))];
        if (codes.length === 0) return;
        span.setAttribute('graphql.error.codes', codes);
        const failures = codes.filter((code) => SERVER_FAILURES.has(code));
        if (failures.length > 0) span.setStatus({ code: SpanStatusCode.ERROR, message: failures.join(', ') });
      },
    };
  },
};
