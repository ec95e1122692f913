import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import { DomainError } from '@supergraph/errors';
import type { Logger } from '@supergraph/logging';
import {
  BodyTooLargeError,
  executeGraphQL,
  readBody,
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
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface RouterHandlerOptions extends OperationalRoutes {
  apollo: ApolloServer<RequestContext>;
  verifier: TokenVerifier;
  logger: Logger;
  bodyLimitBytes?: number;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Node's request listener for the router: operational routes, then GraphQL behind token checks. */
export function createRouterHandler(options: RouterHandlerOptions) {
  const { apollo, verifier, logger, metrics } = options;
  const bodyLimit = options.bodyLimitBytes ?? 1024 * 1024;

  async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (await serveOperationalRoute(path, res, options)) return;
    if (!GRAPHQL_PATHS.has(path)) return sendJson(res, 404, { error: 'not found' });
    return handleGraphQL(req, res);
  }

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const given = header(req, 'x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
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

    let body: string;
    try {
      body = await readBody(req, bodyLimit);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return sendGraphQLError(res, 413, 'BAD_REQUEST', error.message);
      throw error;
    }
    let parsed: unknown;
    if (body.length > 0) {
      try {
        parsed = JSON.parse(body);
      } catch {
        return sendGraphQLError(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON.');
      }
    }
    await executeGraphQL(apollo, req, res, parsed, async () => ({
      identity,
      requestId,
      logger: logger.child({ requestId, userId: identity?.userId }),
    }));
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    const stopTimer = metrics.httpRequests.startTimer({ method: req.method ?? 'GET' });
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = GRAPHQL_PATHS.has(path) ? '/graphql' : OPERATIONAL_PATHS.has(path) ? path : 'other';
    res.on('finish', () => stopTimer({ route, status: String(res.statusCode) }));
    handle(req, res, path).catch((error: unknown) => {
      logger.error({ err: error, path }, 'request failed');
      if (!res.headersSent) sendGraphQLError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      else res.end();
    });
  };
}
