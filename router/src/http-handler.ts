import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import pLimit from 'p-limit';
import { DomainError } from '@supergraph/errors';
import type { Logger } from '@supergraph/logging';
import {
  answerEarly,
  executeGraphQL,
  header,
  inRequestSpan,
  instrumentedListener,
  parseJsonOrRefuse,
  readBodyOrRefuse,
  refuseEarly,
  requestIdOf,
  serveOperationalRoute,
  type OperationalRoutes,
  type RequestContext,
} from '@supergraph/server-kit';
import { clusterMetrics } from './cluster-metrics.ts';
import type { TokenVerifier } from './token-verifier.ts';

/** `/` serves GraphQL too, so http://localhost:4000 opens Sandbox in a browser. */
const GRAPHQL_PATHS = new Set(['/graphql', '/']);
const OPERATIONAL_PATHS = new Set(['/health', '/ready', '/metrics']);

export interface RouterHandlerOptions extends OperationalRoutes {
  apollo: ApolloServer<RequestContext>;
  verifier: TokenVerifier;
  logger: Logger;
  bodyLimitBytes?: number;
  /** Operations executing at once; more wait in line (MAX_CONCURRENT_OPERATIONS). */
  maxConcurrentOperations?: number;
  /** Operations waiting in line at most; past that the router answers 503 (MAX_QUEUED_OPERATIONS). */
  maxQueuedOperations?: number;
  /** Continue a client's `traceparent` rather than only link to it (TRUST_CLIENT_TRACE_CONTEXT). */
  trustClientTraceContext?: boolean;
}

export const AT_CAPACITY_MESSAGE = 'The router is at capacity; retry shortly.';

/** Node's request listener for the router: operational routes, then GraphQL behind token checks. */
export function createRouterHandler(options: RouterHandlerOptions) {
  const { apollo, verifier, logger, metrics } = options;
  const bodyLimit = options.bodyLimitBytes ?? 1024 * 1024;
  // In a cluster (ROUTER_WORKERS), /metrics shows the whole router, whichever worker answers the scrape.
  const routerMetrics = clusterMetrics(metrics.registry);
  // A request's memory is mostly its operation's execution (subgraph answers, the merged result), so
  // bounding how many execute at once bounds the heap whatever the number of clients; the rest wait
  // in line holding only their bodies. One core is saturated long before the default.
  const executions = pLimit(options.maxConcurrentOperations ?? Number.POSITIVE_INFINITY);
  const maxQueued = options.maxQueuedOperations ?? Number.POSITIVE_INFINITY;

  async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/metrics' && routerMetrics) {
      const text = await routerMetrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
      return;
    }
    if (await serveOperationalRoute(path, res, options)) return;
    if (!GRAPHQL_PATHS.has(path)) return answerEarly(req, res, 404, { error: 'not found' });
    // The trace starts here (or continues the client's traceparent, if trusted): every subgraph call,
    // masked error and log line of the request belongs to it.
    return inRequestSpan('router', req, res, () => handleGraphQL(req, res), {
      trustTraceContext: options.trustClientTraceContext ?? false,
    });
  }

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);

    // The token is checked before the body is read, so that a caller who is refused costs no buffer;
    // refuseEarly reads and drops the body instead, or the client's connection would break under it.
    let identity;
    try {
      identity = await verifier.identify(header(req, 'authorization'));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'UNAUTHENTICATED') {
        res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
        return refuseEarly(req, res, 401, error.code, error.message);
      }
      return refuseEarly(req, res, 503, error.code, error.message);
    }

    const body = await readBodyOrRefuse(req, res, bodyLimit);
    if (body === undefined) return;
    const parsed = parseJsonOrRefuse(res, body);
    if (!parsed.ok) return;
    if (executions.activeCount >= executions.concurrency && executions.pendingCount >= maxQueued) {
      res.setHeader('retry-after', '1');
      return refuseEarly(req, res, 503, 'SERVICE_UNAVAILABLE', AT_CAPACITY_MESSAGE);
    }
    await executions(() =>
      executeGraphQL(apollo, req, res, parsed.value, async () => ({
        identity,
        requestId,
        logger: logger.child({ requestId, userId: identity?.userId }),
        // Who to rate-limit an anonymous caller as (rate-limit.ts).
        clientAddress: req.socket.remoteAddress,
      })),
    );
  }

  return instrumentedListener({
    logger,
    metrics,
    routeLabel: (path) =>
      GRAPHQL_PATHS.has(path) ? '/graphql' : OPERATIONAL_PATHS.has(path) ? path : 'other',
    handle,
  });
}
