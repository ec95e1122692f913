import { GraphQLError } from 'graphql';
import { Pool } from 'undici';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { IDENTITY_HEADERS, signInternalRequest, type Identity, type Role } from '@supergraph/identity';
import type { Logger } from '@supergraph/logging';
import { createBreaker, type BreakerOptions, type BreakerState } from '@supergraph/resilience';
import { injectTraceContext, SERVICE_ATTRIBUTE, SpanKind, withSpan } from '@supergraph/telemetry';
import type { SubgraphMetrics } from './subgraph-metrics.ts';
import { SubgraphResponse } from './subgraph-response.ts';

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
  /** Stops the breaker's timers and closes the pool's connections. */
  shutdown: () => Promise<void>;
}

/** A subgraph that answered, but with a server failure: counts against its breaker. */
class SubgraphServerError extends Error {
  override readonly name = 'SubgraphServerError';
}

interface Call {
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** How the router connects to one subgraph. */
export interface SubgraphPoolOptions {
  /** Most connections open at once to the subgraph; more concurrent calls queue for one. */
  connections: number;
  /** How long an idle connection is kept for the next call. */
  keepAliveMs: number;
}

/**
 * How the router calls one subgraph. Signing happens here, the last step before the wire, because only
 * here is the body the exact string that is sent: the subgraph checks the signature over those bytes.
 * Every call goes through the subgraph's own circuit breaker: bounded by the timeout (body included),
 * counted as a failure when it times out, cannot connect or gets a 5xx, and refused at once while the
 * breaker is open. Any of these becomes SERVICE_UNAVAILABLE on the subgraph's part of the response, so
 * the rest of the query still answers. Calls go through a keep-alive pool of connections of the
 * subgraph's own (undici's, without fetch's web streams), so a call does not pay a TCP handshake and a
 * slow subgraph cannot take connections from the others. Each call is a client span whose
 * `traceparent` goes with the request, so the subgraph's work joins the router's trace.
 */
export function createSubgraphFetcher(options: {
  name: string;
  url: string;
  secret: string;
  breaker: BreakerOptions;
  pool: SubgraphPoolOptions;
  logger: Logger;
  metrics: SubgraphMetrics;
}): SubgraphFetcher {
  const { name, url, secret, logger, metrics } = options;
  const target = new URL(url);
  const path = `${target.pathname}${target.search}`;
  const pool = new Pool(target.origin, {
    connections: options.pool.connections,
    keepAliveTimeout: options.pool.keepAliveMs,
  });
  const breaker = createBreaker(
    `subgraph ${name}`,
    async (signal, call: Call) => {
      const response = await pool.request({
        path,
        method: call.method === 'GET' ? 'GET' : 'POST',
        headers: call.headers,
        body: call.body,
        signal,
      });
      // Read the body under the same deadline, so a subgraph that stalls mid-answer is cut off too.
      const text = await response.body.text();
      if (response.statusCode >= 500) {
        throw new SubgraphServerError(`subgraph ${name} answered ${response.statusCode}`);
      }
      return new SubgraphResponse(url, response.statusCode, response.headers, text);
    },
    options.breaker,
    logger,
    { onStateChange: (state) => metrics.breakerState(name, state) },
  );
  metrics.breakerState(name, breaker.state());

  // The gateway calls the URL it was built with, the one the pool was opened to.
  const fetcher: Fetcher = async (_url, init = {}) => {
    const body = typeof init.body === 'string' ? init.body : (init.body?.toString('utf8') ?? '');
    const headers = { ...init.headers };
    Object.assign(
      headers,
      signInternalRequest(secret, { identity: identityOf(headers), search: target.search, body }),
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
        const response = await breaker.call({ method, headers, body });
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
  return {
    fetch: fetcher,
    state: breaker.state,
    shutdown: async () => {
      breaker.shutdown();
      await pool.close();
    },
  };
}
