import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { createLogger } from '@supergraph/logging';
import { startTelemetry, type Telemetry } from '@supergraph/telemetry/sdk';
import { eventually } from '@supergraph/testing';
import { startRouter, type Router } from '../src/app.ts';
import { post, routerTestEnv } from './support/router-env.ts';
import { composeSupergraph, createSupergraphFile, type SupergraphFile } from './support/supergraph.ts';

// A subgraph that leaks: it answers with a raw database error, stack traces and file paths, the way a
// subgraph not built on our server kit (or one in development mode) might. Nothing of it reaches a
// client through the router; public codes and their messages do.

const LEAKY_TYPE_DEFS = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    database: String
    badInput: String
  }
`;

const LEAKS = ['relation', 'secret_table', 'postgres://', '/app/src', 'at Query', 'stack'];

let leaky: Server;
let supergraph: SupergraphFile;
let router: Router;
let graphql: string;
let telemetry: Telemetry;
const spans = new InMemorySpanExporter();
/** The router's log, one parsed line each, as an operator's log shipper receives it. */
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  telemetry = await startTelemetry({
    serviceName: 'router',
    spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
    instrument: false,
  });
  leaky = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const query = (JSON.parse(body) as { query: string }).query;
      const error = query.includes('database')
        ? {
            message: 'relation "secret_table" does not exist (postgres://app:hunter2@db.internal:5432/shop)',
            path: ['database'],
            extensions: {
              code: 'INTERNAL_SERVER_ERROR',
              stacktrace: [
                'error: relation "secret_table"',
                '    at Query.database (/app/src/resolvers.ts:12:9)',
              ],
            },
          }
        : {
            message: 'quantity must be at least 1',
            path: ['badInput'],
            extensions: {
              code: 'BAD_USER_INPUT',
              fields: ['quantity'],
              stacktrace: ['BadUserInput: quantity', '    at Query.badInput (/app/src/resolvers.ts:20:5)'],
              exception: { stack: 'at /app/src/resolvers.ts:20:5' },
            },
          };
      const field = query.includes('database') ? 'database' : 'badInput';
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ data: { [field]: null }, errors: [error] }));
    });
  });
  await new Promise<void>((resolve) => leaky.listen(0, '127.0.0.1', resolve));
  supergraph = createSupergraphFile(
    composeSupergraph([
      {
        name: 'leaky',
        url: `http://127.0.0.1:${(leaky.address() as AddressInfo).port}/graphql`,
        typeDefs: LEAKY_TYPE_DEFS,
      },
    ]),
  );
  router = await startRouter(
    routerTestEnv({
      NODE_ENV: 'production',
      SUPERGRAPH_PATH: supergraph.path,
      JWKS_URL: 'http://127.0.0.1:9/jwks.json',
    }),
    {
      logger: createLogger({
        name: 'router',
        level: 'info',
        destination: {
          write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>),
        },
      }),
    },
  );
  graphql = `${router.url}graphql`;
});

afterAll(async () => {
  await router?.stop();
  leaky?.closeAllConnections();
  await new Promise((resolve) => leaky?.close(resolve));
  supergraph?.remove();
  await telemetry?.shutdown();
});

function expectNoLeak(result: unknown) {
  const body = JSON.stringify(result);
  for (const leak of LEAKS) expect({ leak, found: body.includes(leak) }).toEqual({ leak, found: false });
}

describe('errors from a subgraph, through the router in production', () => {
  it('masks a database error to a generic internal error', async () => {
    const result = await post(graphql, '{ database }', { 'content-type': 'application/json' });
    expect(result.data).toEqual({ database: null });
    expect(result.errors).toEqual([
      { message: 'Internal server error', path: ['database'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    ]);
    expectNoLeak(result);
  });

  it('keeps a public code, its message and details, and drops stack traces', async () => {
    const result = await post(graphql, '{ badInput }', { 'content-type': 'application/json' });
    expect(result.errors).toEqual([
      {
        message: 'quantity must be at least 1',
        path: ['badInput'],
        extensions: { code: 'BAD_USER_INPUT', fields: ['quantity'] },
      },
    ]);
    expectNoLeak(result);
  });

  it("logs a masked error with the original error and the trace id of the caller's request", async () => {
    const clientTraceId = randomBytes(16).toString('hex');
    const traceparent = `00-${clientTraceId}-${randomBytes(8).toString('hex')}-01`;
    const result = await post(graphql, '{ database }', { 'content-type': 'application/json', traceparent });
    expect(result.errors?.[0]?.message).toBe('Internal server error');

    // The request's trace is the router's own, which links to the client's traceparent: a public
    // client's is not continued (TRUST_CLIENT_TRACE_CONTEXT unset).
    const request = await eventually(async () =>
      spans
        .getFinishedSpans()
        .find((span) => span.links.some((link) => link.context.traceId === clientTraceId)),
    );
    const traceId = request.spanContext().traceId;
    expect(traceId).not.toBe(clientTraceId);

    const masked = logLines.filter((line) => line.msg === 'unexpected error while executing an operation');
    expect(masked.filter((line) => line.trace_id === traceId)).toEqual([
      expect.objectContaining({
        level: 'error',
        trace_id: traceId,
        span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
        path: ['database'],
        err: expect.objectContaining({
          message: expect.stringContaining('relation "secret_table" does not exist'),
        }),
      }),
    ]);
  });
});
