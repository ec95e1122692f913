import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { ApolloServerPlugin } from '@apollo/server';

export interface Metrics {
  registry: Registry;
  httpRequests: Histogram<'route' | 'method' | 'status'>;
  plugin: ApolloServerPlugin;
}

/**
 * One registry per server (not prom-client's global one), so a test process can run several servers
 * and each /metrics shows only its own.
 */
export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });

  const httpRequests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const operations = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'GraphQL operations by name, type and outcome',
    labelNames: ['operation', 'type', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'graphql_errors_total',
    help: 'GraphQL errors by code',
    labelNames: ['code'] as const,
    registers: [registry],
  });

  const plugin: ApolloServerPlugin = {
    async requestDidStart() {
      const stop = operations.startTimer();
      return {
        async willSendResponse({ operation, operationName, errors: requestErrors }) {
          stop({
            operation: operationName ?? '(anonymous)',
            type: operation?.operation ?? 'unknown',
            outcome: requestErrors?.length ? 'error' : 'success',
          });
        },
        async didEncounterErrors({ errors: requestErrors }) {
          for (const error of requestErrors)
            errors.inc({ code: String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR') });
        },
      };
    },
  };
  return { registry, httpRequests, plugin };
}
