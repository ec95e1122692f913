import type { ApolloGateway } from '@apollo/gateway';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { getVariableValues } from 'graphql';
import { Counter, type Registry } from 'prom-client';
import { executeSingleFetch } from './single-fetch-execution.ts';
import type { SingleFetchPlans } from './single-fetch-plans.ts';

/**
 * The gateway as Apollo Server sees it, with one change to its executor: an operation the gateway has
 * planned as one fetch with nothing to join (single-fetch-plans.ts) runs that fetch directly
 * (single-fetch-execution.ts), without the per-request work of the gateway's executor that gives the same
 * result every time (building the operation from its document again, the plan's key hash and lookup,
 * the plan walk). Everything around it is Apollo Server's own pipeline, unchanged: parsing and
 * validation caches, plugins (metrics, rate limits, safelist, span naming), error formatting, cache
 * control and the HTTP answer. Any other operation, and any request whose variables the operation's types
 * refuse (the gateway reports those), goes to the gateway's executor.
 */
export function withSingleFetchExecution(
  gateway: ApolloGateway,
  plans: SingleFetchPlans,
  registry: Registry,
): GatewayInterface {
  const served = new Counter({
    name: 'router_single_fetch_operations_total',
    help: 'Operations one subgraph answers alone, run without the gateway executor',
    registers: [registry],
  });

  return {
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: () => gateway.stop(),
    async load(options) {
      const { executor } = await gateway.load(options);
      if (!executor) return { executor };
      const singleFetchFirst: GatewayExecutor = (requestContext) => {
        const operation = plans.find(
          requestContext.source,
          requestContext.request.operationName ?? undefined,
        );
        if (!operation || operation.document !== requestContext.document) return executor(requestContext);
        const definitions = operation.operation.variableDefinitions;
        const variables = requestContext.request.variables ?? {};
        if (definitions?.length && getVariableValues(operation.schema, definitions, variables).errors) {
          return executor(requestContext);
        }
        served.inc();
        // Its errors are what the gateway's own executor returns: GraphQLErrors, and a failed fetch's
        // Error as thrown, which Apollo Server formats as it formats the gateway's.
        return executeSingleFetch(operation, requestContext) as ReturnType<GatewayExecutor>;
      };
      return { executor: singleFetchFirst };
    },
  };
}
