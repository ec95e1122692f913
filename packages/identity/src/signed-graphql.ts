import { injectTraceContext, SpanKind, withSpan } from '@supergraph/telemetry';
import { signInternalRequest, type Identity } from './internal-signature.ts';

export interface GraphQLResult<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

export interface SignedGraphQLRequest {
  query: string;
  variables?: Record<string, unknown>;
  /** Whom the call is made for; null for an anonymous (or service) caller. */
  as?: Identity | null;
  signal?: AbortSignal;
}

/**
 * POSTs a GraphQL operation straight to a subgraph the way the router does, the identity signed with the
 * internal secret. For service-to-service calls (orders pricing an order at products) and tests. The
 * call is a client span of the caller's trace, and its `traceparent` goes along, so the callee's work
 * joins that trace.
 */
export function postSignedGraphQL<TData = Record<string, unknown>>(
  url: string,
  secret: string,
  request: SignedGraphQLRequest,
): Promise<GraphQLResult<TData>> {
  const body = JSON.stringify({ query: request.query, variables: request.variables ?? {} });
  const attributes = { 'http.request.method': 'POST', 'url.full': url };
  const name = `POST ${new URL(url).pathname}`;
  return withSpan('@supergraph/identity', name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    const headers = injectTraceContext({
      'content-type': 'application/json',
      ...signInternalRequest(secret, { identity: request.as ?? null, body }),
    });
    const response = await fetch(url, { method: 'POST', headers, body, signal: request.signal });
    span.setAttribute('http.response.status_code', response.status);
    const json = (await response.json()) as Omit<GraphQLResult<TData>, 'status'>;
    return { status: response.status, ...json };
  });
}
