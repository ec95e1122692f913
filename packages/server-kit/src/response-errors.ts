import type { GraphQLResponse } from '@apollo/server';

/**
 * The codes of the errors a response carries, as the client reads them: after formatError, so a domain
 * error counts under its own code (NOT_FOUND, UNAUTHENTICATED) and a masked one as INTERNAL_SERVER_ERROR.
 * Before formatting a domain error has no code yet; counted there, every one would look internal.
 */
export function responseErrorCodes(response: GraphQLResponse): string[] {
  const { body } = response;
  const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
  return (errors ?? []).map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
}
