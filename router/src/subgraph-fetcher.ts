import { GraphQLError } from 'graphql';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { IDENTITY_HEADERS, signInternalRequest, type Identity, type Role } from '@supergraph/identity';
import type { Logger } from '@supergraph/logging';

export type Fetcher = RemoteGraphQLDataSource['fetcher'];

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

/**
 * How the router calls one subgraph. Signing happens here, the last step before the wire, because only
 * here is the body the exact string that is sent: the subgraph checks the signature over those bytes.
 * Each call, body included, is bounded by `timeoutMs`; a subgraph that is down or slow becomes a
 * SERVICE_UNAVAILABLE error on its part of the response rather than a hung or failed operation.
 */
export function createSubgraphFetcher(options: {
  name: string;
  secret: string;
  timeoutMs: number;
  logger: Logger;
}): Fetcher {
  const { name, secret, timeoutMs, logger } = options;
  return async (url, init = {}) => {
    const body = typeof init.body === 'string' ? init.body : (init.body?.toString('utf8') ?? '');
    const headers = { ...init.headers };
    Object.assign(
      headers,
      signInternalRequest(secret, { identity: identityOf(headers), search: new URL(url).search, body }),
    );
    try {
      const response = await fetch(url, {
        method: init.method ?? 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Read the body under the same deadline, so a subgraph that stalls mid-answer is cut off too.
      const text = await response.text();
      return new Response(text, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      const context = { subgraph: name, url, requestId: headers['x-request-id'] };
      if (error instanceof Error && error.name === 'TimeoutError') {
        logger.warn(context, `subgraph ${name} did not answer within ${timeoutMs} ms`);
      } else {
        logger.warn({ ...context, err: error }, `subgraph ${name} is unreachable`);
      }
      throw new GraphQLError(SUBGRAPH_UNAVAILABLE_MESSAGE, { extensions: { code: 'SERVICE_UNAVAILABLE' } });
    }
  };
}
