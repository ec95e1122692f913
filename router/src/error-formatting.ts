import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '@supergraph/logging';
import { createErrorMasker } from '@supergraph/server-kit';

/**
 * The subgraphs' error masker, taught about errors that come back from a subgraph. The gateway wraps
 * each one in a GraphQLError whose `originalError` is the plain JSON error the subgraph sent, which the
 * masker (rightly, for a subgraph) would not trust. The subgraph has already masked it, so here its
 * public code stands and its extensions (e.g. which input field was wrong) reach the client; only
 * `serviceName`, which names our internals, is dropped. Anything not public is still masked, and logged
 * with the subgraph's message and extensions and the request's trace_id (formatting runs inside the
 * request's span), which is also the trace id of the subgraph's own log line about it.
 */
export function createRouterErrorFormatter(logger: Logger) {
  const mask = createErrorMasker(logger);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (!(error instanceof GraphQLError) || typeof error.extensions.serviceName !== 'string') {
      return mask(formatted, error);
    }
    // Rebuilt without a path so the masker judges the subgraph's error itself; serviceName stays on it
    // for the log line the masker writes when it hides one.
    const masked = mask(formatted, new GraphQLError(formatted.message, { extensions: formatted.extensions }));
    // A subgraph not built on our server kit (or one in development mode) may attach a stack trace or
    // the raw exception; those never leave the router, whatever the code.
    const {
      serviceName: _serviceName,
      stacktrace: _stacktrace,
      exception: _exception,
      originalError: _originalError,
      ...extensions
    } = formatted.extensions ?? {};
    if (masked.extensions?.code === 'INTERNAL_SERVER_ERROR') return masked;
    return { ...masked, extensions: { ...extensions, code: masked.extensions?.code } };
  };
}
