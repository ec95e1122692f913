import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { DomainError, ERROR_CODES } from '@supergraph/errors';
import type { Logger } from '@supergraph/logging';

/**
 * Codes Apollo Server gives to problems with the client's own request (a query that does not parse or
 * validate, variables of the wrong type). They describe what the client sent, never our internals.
 */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  // The router's persisted queries (router/src/persisted-queries.ts, router/src/safelist.ts).
  'PERSISTED_QUERY_NOT_IN_LIST',
  'PERSISTED_QUERY_HASH_MISMATCH',
  'PERSISTED_QUERY_VERSION_UNSUPPORTED',
]);
const PUBLIC_CODES = new Set<string>([...ERROR_CODES, ...REQUEST_ERROR_CODES]);

export const INTERNAL_ERROR_MESSAGE = 'Internal server error';

/**
 * Apollo's formatError: a DomainError keeps its message and code; an error Apollo raised about the
 * request keeps its code; anything else (a bug, a SQL error, a library's message) leaves as a generic
 * INTERNAL_SERVER_ERROR and is logged here in full, so the client learns nothing about our internals.
 * Apollo formats inside the request's span, so the log line carries the request's trace_id: an
 * operator goes from the line to the whole trace, and from a failed trace to this line.
 */
export function createErrorMasker(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    if (original instanceof DomainError) {
      return { ...base, message: original.message, extensions: { code: original.code, ...original.details } };
    }
    const code = formatted.extensions?.code;
    // Only a GraphQLError chose its code; a plain Error thrown by a bug or a driver is never trusted.
    if (
      original instanceof GraphQLError &&
      typeof code === 'string' &&
      PUBLIC_CODES.has(code) &&
      code !== 'INTERNAL_SERVER_ERROR'
    ) {
      return { ...base, extensions: { code } };
    }
    logger.error(
      { err: original as Error, path: formatted.path },
      'unexpected error while executing an operation',
    );
    return { ...base, message: INTERNAL_ERROR_MESSAGE, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
