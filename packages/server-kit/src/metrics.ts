import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { ApolloServerPlugin } from '@apollo/server';
import { responseErrorCodes } from './response-errors.ts';

export interface Metrics {
  registry: Registry;
  httpRequests: Histogram<'route' | 'method' | 'status'>;
  plugin: ApolloServerPlugin;
}

/**
 * Operation names are chosen by clients. Past this many distinct ones a process labels the rest
 * `(other)`, so a client inventing names cannot grow /metrics without bound.
 */
const MAX_OPERATION_NAMES = 200;

function operationLabels(): (name: string | null | undefined) => string {
  const seen = new Set<string>();
  return (name) => {
    if (!name) return '(anonymous)';
    if (seen.has(name)) return name;
    if (seen.size >= MAX_OPERATION_NAMES) return '(other)';
    seen.add(name);
    return name;
  };
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
    help: 'GraphQL errors by operation name and code',
    labelNames: ['operation', 'code'] as const,
    registers: [registry],
  });
  const operationLabel = operationLabels();

  const plugin: ApolloServerPlugin = {
    async requestDidStart() {
      const stop = operations.startTimer();
      return {
        async willSendResponse({ operation, operationName, request, response, errors: requestErrors }) {
          // Before the operation resolves (a parse or validation error) only the name the client sent is known.
          const name = operationLabel(operationName ?? request.operationName);
          stop({
            operation: name,
            type: operation?.operation ?? 'unknown',
            outcome: requestErrors?.length ? 'error' : 'success',
          });
          for (const code of responseErrorCodes(response)) errors.inc({ operation: name, code });
        },
      };
    },
  };
  return { registry, httpRequests, plugin };
}
