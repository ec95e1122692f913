import { GraphQLError } from 'graphql';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { IDENTITY_HEADERS, signInternalRequest, type Identity, type Role } from '@supergraph/identity';
import type { Logger } from '@supergraph/logging';
import { createBreaker, type BreakerOptions, type BreakerState } from '@supergraph/resilience';
import { injectTraceContext, SERVICE_ATTRIBUTE, SpanKind, withSpan } from '@supergraph/telemetry';
import type { SubgraphMetrics } from './subgraph-metrics.ts';

export type Fetcher = RemoteGraphQLDataSource['fetcher'];

const TRACER = '@supergraph/router';

const ROLES: readonly string[] = ['CUSTOMER', 'ADMIN'] satisfies Role[];
export const SUBGRAPH_UNAVAILABLE_MESSAGE = 'A service this request needs is unavailable; try again shortly.';

/** The caller the data source put on the request; it set these headers from the verified context only. */
function identityOf(headers: Record<string, string>): Identity | null {
  const userId = headers[IDENTITY_HEADERS.userId];
  const role = headers[IDENTITY_HEADERS.role];
  if (userId === undefined && role === undefined) return null;
  if (!userId || !role || !ROLES.includes(role))
    throw new Error('malformed identity headers on a subgraph request');
  return { userId, role: role as Role };
}

export interface SubgraphFetcher {
  fetch: Fetcher;
  state: () => BreakerState;
  /** Stops the breaker's timers. */
  shutdown: () => void;
}

/** A subgraph that answered, but with a server failure: counts against its breaker. */
class SubgraphServerError extends Error {
  override readonly name = 'SubgraphServerError';
}

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * How the router calls one subgraph. Signing happens here, the last step before the wire, because only
 * here is the body the exact string that is sent: the subgraph checks the signature over those bytes.
 * Every call goes through the subgraph's own circuit breaker: bounded by the timeout (body included),
 * counted as a failure when it times out, cannot connect or gets a 5xx, and refused at once while the
 * breaker is open. Any of these becomes SERVICE_UNAVAILABLE on the subgraph's part of the response, so
 * the rest of the query still answers. Node's fetch keeps connections to each subgraph alive and reuses
 * them, so a call does not pay a TCP handshake. Each call is a client span whose `traceparent` goes
 * with the request, so the subgraph's work joins the router's trace.
 */
export function createSubgraphFetcher(options: {
  name: string;
  secret: string;
  breaker: BreakerOptions;
  logger: Logger;
  metrics: SubgraphMetrics;
}): SubgraphFetcher {
  const { name, secret, logger, metrics } = options;
  const breaker = createBreaker(
    `subgraph ${name}`,
    async (signal, call: Call) => {
      const response = await fetch(call.url, {
        method: call.method,
        headers: call.headers,
        body: call.body,
        signal,
      });
      // Read the body under the same deadline, so a subgraph that stalls mid-answer is cut off too.
      const text = await response.text();
      if (response.status >= 500) {
        throw new SubgraphServerError(`subgraph ${name} answered ${response.status}`);
      }
      return new Response(text, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    },
    options.breaker,
    logger,
    { onStateChange: (state) => metrics.breakerState(name, state) },
  );
  metrics.breakerState(name, breaker.state());

  const fetcher: Fetcher = async (url, init = {}) => {
    const body = typeof init.body === 'string' ? init.body : (init.body?.toString('utf8') ?? '');
    const headers = { ...init.headers };
    Object.assign(
      headers,
      signInternalRequest(secret, { identity: identityOf(headers), search: new URL(url).search, body }),
    );
    const method = init.method ?? 'POST';
    const attributes = {
      [SERVICE_ATTRIBUTE]: 'router',
      'supergraph.subgraph': name,
      'http.request.method': method,
      'url.full': url,
    };
    return withSpan(TRACER, `subgraph ${name}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      injectTraceContext(headers);
      const wasOpen = breaker.state() === 'open';
      const end = metrics.startFetch(name);
      try {
        const response = await breaker.call({ url, method, headers, body });
        span.setAttribute('http.response.status_code', response.status);
        end(response.ok ? 'ok' : 'http_error');
        return response;
      } catch (error) {
        end(wasOpen && breaker.state() === 'open' ? 'rejected' : 'failed');
        // The cause stays on the router's span and in its log; the client only learns the code.
        span.recordException(error instanceof Error ? error : String(error));
        span.setAttribute('supergraph.breaker.state', breaker.state());
        logger.warn(
          { subgraph: name, url, requestId: headers['x-request-id'], breaker: breaker.state() },
          `subgraph ${name} call failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        throw new GraphQLError(SUBGRAPH_UNAVAILABLE_MESSAGE, { extensions: { code: 'SERVICE_UNAVAILABLE' } });
      }
    });
  };
  return { fetch: fetcher, state: breaker.state, shutdown: breaker.shutdown };
}
