import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
// Internals of @apollo/gateway (pinned to one version in package.json): the result shaping and the
// merge its executor applies, so an answer here is shaped by the very code that shapes the gateway's.
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import { computeResponse } from '@apollo/gateway/dist/resultShaping.js';
import { deepMerge } from '@apollo/gateway/dist/utilities/deepMerge.js';
import { errorCodeDef, ERRORS } from '@apollo/federation-internals';
import { GraphQLError, type GraphQLErrorOptions, type GraphQLFormattedError } from 'graphql';
import type { SingleFetchOperation } from './single-fetch-plans.ts';

type IncomingOperation = Extract<GraphQLDataSourceProcessOptions, { incomingRequestContext: unknown }>;
/** The gateway's view of a client request, as Apollo Server hands it to the gateway's executor. */
export type GatewayRequestContext = IncomingOperation['incomingRequestContext'];

/** What the gateway's executor returns: data, errors, and the extensions shaping may add. */
export interface GatewayExecutionResult {
  data?: Record<string, unknown> | null;
  errors?: unknown[];
  extensions?: Record<string, unknown>;
}

/**
 * Runs an operation whose query plan is one fetch as @apollo/gateway's executeQueryPlan runs it, step for
 * step, minus what a single fetch never needs (cursors into earlier results, entity representations,
 * rewrites, introspection) and the per-request work whose result is the same every time (building the
 * operation again from its document): the fetch's operation is sent with the client's variables it uses,
 * through the data source the gateway would call; the subgraph's errors take the gateway's form; the
 * data is shaped by the gateway's own code (key order, aliases, `__typename`, nulls and the
 * non-null fields they bubble through, invalid values); shaping problems are reported in
 * `extensions.valueCompletion` when nothing else failed, as the gateway reports them.
 */
export async function executeSingleFetch(
  operation: SingleFetchOperation,
  requestContext: GatewayRequestContext,
): Promise<GatewayExecutionResult> {
  const { fetch } = operation;
  const errors: unknown[] = [];
  const unfilteredData: Record<string, unknown> = Object.create(null);
  try {
    const provided = requestContext.request.variables;
    const variables: Record<string, unknown> = Object.create(null);
    for (const name of fetch.variableUsages ?? []) {
      if (provided && Object.hasOwn(provided, name) && typeof provided[name] !== 'undefined') {
        variables[name] = provided[name];
      }
    }
    const response = await operation.dataSource.process({
      kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
      request: { query: fetch.operation, variables, operationName: fetch.operationName },
      incomingRequestContext: requestContext,
      context: requestContext.context,
      document: fetch.operationDocumentNode,
      pathInIncomingRequest: [],
    });
    if (response.errors) {
      errors.push(...response.errors.map((error) => downstreamServiceError(error, fetch.serviceName)));
      // Read by Apollo's usage reporting, which attributes errors to subgraphs with them.
      if (!response.extensions?.ftv1) {
        const paths = response.errors.map((error) => ({ subgraph: fetch.serviceName, path: error.path }));
        const { metrics } = requestContext;
        metrics.nonFtv1ErrorPaths = [...(metrics.nonFtv1ErrorPaths ?? []), ...paths];
      }
    }
    deepMerge(unfilteredData, response.data);
  } catch (error) {
    errors.push(error);
  }

  try {
    const variables = requestContext.request.variables;
    const { data, errors: shapingErrors } = computeResponse({
      operation: operation.shape,
      variables,
      input: unfilteredData,
      introspectionHandling: () => {
        throw new Error('an operation asking for introspection is not run as a single fetch');
      },
    });
    // The gateway ships shaping errors only when nothing failed before them, and then as an extension
    // (see its executeQueryPlan).
    if (errors.length === 0 && shapingErrors.length > 0) {
      return { extensions: { valueCompletion: shapingErrors }, data };
    }
    return errors.length === 0 ? { data } : { errors, data };
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    if (error instanceof Error)
      return { errors: [new GraphQLError(error.message, { originalError: error })] };
    requestContext.logger.error(`Unexpected error during query plan execution: ${String(error)}`);
    return { errors: [new GraphQLError('Unexpected error during query plan execution')] };
  }
}

/** A subgraph's error as the gateway reports it (its executeQueryPlan's downstreamServiceError). */
function downstreamServiceError(originalError: GraphQLFormattedError, serviceName: string): GraphQLError {
  const message = originalError.message || `Error while fetching subquery from service "${serviceName}"`;
  const { extensions } = originalError;
  const options: GraphQLErrorOptions = {
    originalError: originalError as Error,
    // A root fetch's error paths are the response's own.
    path: originalError.path ? [...originalError.path] : undefined,
    extensions: { ...extensions, serviceName },
  };
  const codeDef = errorCodeDef(originalError);
  if (!codeDef && extensions?.code) return new GraphQLError(message, options);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}
