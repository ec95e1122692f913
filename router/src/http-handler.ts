import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import { DomainError } from '@supergraph/errors';
import type { Logger } from '@supergraph/logging';
import {
  executeGraphQL,
  header,
  inRequestSpan,
  instrumentedListener,
  parseJsonOrRefuse,
  readBodyOrRefuse,
  requestIdOf,
  sendGraphQLError,
  sendJson,
  serveOperationalRoute,
  type OperationalRoutes,
  type RequestContext,
} from '@supergraph/server-kit';
import type { TokenVerifier } from './token-verifier.ts';

/** `/` serves GraphQL too, so http://localhost:4000 opens Sandbox in a browser. */
const GRAPHQL_PATHS = new Set(['/graphql', '/']);
const OPERATIONAL_PATHS = new Set(['/health', '/ready', '/metrics']);

export interface RouterHandlerOptions extends OperationalRoutes {
  apollo: ApolloServer<RequestContext>;
  verifier: TokenVerifier;
  logger: Logger;
  bodyLimitBytes?: number;
}

/** Node's request listener for the router: operational routes, then GraphQL behind token checks. */
export function createRouterHandler(options: RouterHandlerOptions) {
  const { apollo, verifier, logger, metrics } = options;
  const bodyLimit = options.bodyLimitBytes ?? 1024 * 1024;

  async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (await serveOperationalRoute(path, res, options)) return;
    if (!GRAPHQL_PATHS.has(path)) return sendJson(res, 404, { error: 'not found' });
    // The trace starts here (or continues the client's traceparent): every subgraph call, masked
    // error and log line of the request belongs to it.
    return inRequestSpan('router', req, res, () => handleGraphQL(req, res));
  }

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);

    let identity;
    try {
      identity = await verifier.identify(header(req, 'authorization'));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'UNAUTHENTICATED') {
        res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
        return sendGraphQLError(res, 401, error.code, error.message);
      }
      return sendGraphQLError(res, 503, error.code, error.message);
    }

    const body = await readBodyOrRefuse(req, res, bodyLimit);
    if (body === undefined) return;
    const parsed = parseJsonOrRefuse(res, body);
    if (!parsed.ok) return;
    await executeGraphQL(apollo, req, res, parsed.value, async () => ({
      identity,
      requestId,
      logger: logger.child({ requestId, userId: identity?.userId }),
      // Who to rate-limit an anonymous caller as (rate-limit.ts).
      clientAddress: req.socket.remoteAddress,
    }));
  }

  return instrumentedListener({
    logger,
    metrics,
    routeLabel: (path) =>
      GRAPHQL_PATHS.has(path) ? '/graphql' : OPERATIONAL_PATHS.has(path) ? path : 'other',
    handle,
  });
}
