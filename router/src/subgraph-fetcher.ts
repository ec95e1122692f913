import type { IncomingHttpHeaders } from 'node:http';
import { GraphQLError } from 'graphql';
import { Pool } from 'undici';
import { IDENTITY_HEADERS, signInternalRequest, type Identity } from '@supergraph/identity';
import type { Logger } from '@supergraph/logging';
import { createBreaker, type BreakerOptions, type BreakerState } from '@supergraph/resilience';
import { injectTraceContext, SERVICE_ATTRIBUTE, SpanKind, withSpan } from '@supergraph/telemetry';
import type { SubgraphMetrics } from './subgraph-metrics.ts';

const TRACER = '@supergraph/router';

export const SUBGRAPH_UNAVAILABLE_MESSAGE = 'A service this request needs is unavailable; try again shortly.';

/** One GraphQL request to a subgraph, on behalf of the caller the router verified. */
export interface SubgraphRequest {
  /** The JSON body, the exact string that is signed and sent. */
  body: string;
  identity: Identity | null;
  requestId?: string | undefined;
}

/** A subgraph's answer below 500, its body read in full under the call's deadline. */
export interface SubgraphAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface SubgraphFetcher {
  send: (request: SubgraphRequest) => Promise<SubgraphAnswer>;
  state: () => BreakerState;
  /** Stops the breaker's timers and closes the pool's connections. */
  shutdown: () => Promise<void>;
}

/** A subgraph that answered, but with a server failure: counts against its breaker. */
class SubgraphServerError extends Error {
  override readonly name = 'SubgraphServerError';
}

interface Call {
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
        method: 'POST',
        headers: call.headers,
        body: call.body,
        signal,
      });
      // Read the body under the same deadline, so a subgraph that stalls mid-answer is cut off too.
      const text = await response.body.text();
      if (response.statusCode >= 500) {
        throw new SubgraphServerError(`subgraph ${name} answered ${response.statusCode}`);
      }
      return { status: response.statusCode, headers: response.headers, body: text };
    },
    options.breaker,
    logger,
    { onStateChange: (state) => metrics.breakerState(name, state) },
  );
  metrics.breakerState(name, breaker.state());

  const attributes = {
    [SERVICE_ATTRIBUTE]: 'router',
    'supergraph.subgraph': name,
    'http.request.method': 'POST',
    'url.full': url,
  };

  /**
   * Only what is set here reaches the subgraph: no header of the client's does (an
   * `x-supergraph-user-id` a client sent included), nor the client's `traceparent`, only this span's.
   */
  function send({ body, identity, requestId }: SubgraphRequest): Promise<SubgraphAnswer> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...(requestId ? { 'x-request-id': requestId } : {}),
      ...(identity
        ? { [IDENTITY_HEADERS.userId]: identity.userId, [IDENTITY_HEADERS.role]: identity.role }
        : {}),
      ...signInternalRequest(secret, { identity, search: target.search, body }),
    };
    return withSpan(TRACER, `subgraph ${name}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      injectTraceContext(headers);
      const wasOpen = breaker.state() === 'open';
      const end = metrics.startFetch(name);
      try {
        const answer = await breaker.call({ headers, body });
        span.setAttribute('http.response.status_code', answer.status);
        end(answer.status >= 200 && answer.status < 300 ? 'ok' : 'http_error');
        return answer;
      } catch (error) {
        end(wasOpen && breaker.state() === 'open' ? 'rejected' : 'failed');
        // The cause stays on the router's span and in its log; the client only learns the code.
        span.recordException(error instanceof Error ? error : String(error));
        span.setAttribute('supergraph.breaker.state', breaker.state());
        logger.warn(
          { subgraph: name, url, requestId, breaker: breaker.state() },
          `subgraph ${name} call failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        throw new GraphQLError(SUBGRAPH_UNAVAILABLE_MESSAGE, { extensions: { code: 'SERVICE_UNAVAILABLE' } });
      }
    });
  }
  return {
    send,
    state: breaker.state,
    shutdown: async () => {
      breaker.shutdown();
      await pool.close();
    },
  };
}
