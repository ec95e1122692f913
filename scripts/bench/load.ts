// The load generator: autocannon's programmatic API, a fixed number of connections for a fixed time,
// each connection sending the scenario's operations in turn as fast as answers come back (closed loop),
// or at a fixed overall rate (open loop) for the saga bench.
import autocannon from 'autocannon';
import { signInternalRequest } from '@supergraph/identity';
import type { Operation } from './scenarios.ts';

export interface LoadResult {
  /** Responses received (any status). */
  responses: number;
  /**
   * Requests sent, the ones still unanswered when the round ended included: the gateway did (some of)
   * their work too, so costs per operation are divided by this.
   */
  sent: number;
  durationSeconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  socketErrors: number;
  /** 2xx responses whose body carried GraphQL errors. */
  graphqlErrors: number;
  /** The first error body seen, to say what went wrong. */
  firstError?: string;
}

export interface LoadOptions {
  url: string;
  operations: Operation[];
  connections: number;
  durationSeconds: number;
  /** Requests per second over all connections; unset: as fast as the target answers. */
  overallRate?: number;
  /** Set when the target is a subgraph: each request is signed as the router would sign it. */
  internalSecret?: string;
}

function toRequest(operation: Operation, internalSecret: string | undefined): autocannon.Request {
  const body = JSON.stringify({ query: operation.query, variables: operation.variables });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (operation.token) headers.authorization = `Bearer ${operation.token}`;
  const request: autocannon.Request = { method: 'POST', path: '/graphql', headers, body };
  if (internalSecret) {
    // Made per request: a subgraph accepts a signature's timestamp for a minute only and its nonce once,
    // so headers signed once and sent again would be refused as a replay. autocannon calls
    // setupRequest for every request it sends.
    request.setupRequest = (req) => ({
      ...req,
      headers: { ...headers, ...signInternalRequest(internalSecret, { identity: null, body }) },
    });
  }
  return request;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let graphqlErrors = 0;
  let firstError: string | undefined;
  const onResponse = (status: number, body: string) => {
    if (status >= 200 && status < 300 && !body.includes('"errors"')) return;
    if (status >= 200 && status < 300) graphqlErrors += 1;
    firstError ??= `${status} ${body.slice(0, 300)}`;
  };
  const requests = options.operations.map((operation) => ({
    ...toRequest(operation, options.internalSecret),
    onResponse,
  }));
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    requests,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
  });
  const responses = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  return {
    responses,
    sent: Math.max(result.requests.sent, responses),
    durationSeconds: result.duration,
    requestsPerSecond: responses / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    socketErrors: result.errors,
    graphqlErrors,
    ...(firstError ? { firstError } : {}),
  };
}
