import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { parse } from 'graphql';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { postSignedGraphQL } from '@supergraph/identity';
import { createLogger } from '@supergraph/logging';
import { withSpan } from '@supergraph/telemetry';
import { startTelemetry, type Telemetry } from '@supergraph/telemetry/sdk';
import { startSubgraphServer, type SubgraphServer } from '../src/index.ts';

// A subgraph whose resolver fails the way a driver does. The client gets a generic error; the
// subgraph's log gets the original, under the trace id of the caller's request, so an operator finds
// the line from the trace and the trace from the line.

const SECRET = 'masked-error-log-test-secret-0123456789';
const exporter = new InMemorySpanExporter();
const logLines: Array<Record<string, unknown>> = [];
let telemetry: Telemetry;
let server: SubgraphServer;

beforeAll(async () => {
  telemetry = await startTelemetry({
    serviceName: 'server-kit-test',
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    instrument: false,
  });
  server = await startSubgraphServer({
    name: 'broken',
    typeDefs: parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type Query { broken: String }`),
    resolvers: {
      Query: {
        broken: () => {
          throw new Error('connect ECONNREFUSED db.internal:5432');
        },
      },
    },
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({
      name: 'broken',
      level: 'info',
      destination: {
        write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>),
      },
    }),
    internalSecret: SECRET,
    production: true,
    readiness: {},
    createContext: (base) => base,
  });
});

afterAll(async () => {
  await server?.stop();
  await telemetry?.shutdown();
});

it('logs a masked error with the original error, in the trace of the request that met it', async () => {
  const { traceId, result } = await withSpan('test', 'router call', {}, async (span) => ({
    traceId: span.spanContext().traceId,
    result: await postSignedGraphQL(server.url, SECRET, { query: 'query Broken { broken }' }),
  }));
  expect(result.errors).toEqual([
    expect.objectContaining({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    }),
  ]);
  expect(logLines.filter((line) => line.msg === 'unexpected error while executing an operation')).toEqual([
    expect.objectContaining({
      level: 'error',
      trace_id: traceId,
      path: ['broken'],
      err: expect.objectContaining({ message: 'connect ECONNREFUSED db.internal:5432' }),
    }),
  ]);
  const subgraphSpan = exporter
    .getFinishedSpans()
    .find((span) => span.attributes['supergraph.service'] === 'broken');
  expect(subgraphSpan).toMatchObject({
    name: 'query Broken',
    status: { code: 2, message: 'INTERNAL_SERVER_ERROR' },
    attributes: { 'graphql.error.codes': ['INTERNAL_SERVER_ERROR'] },
  });
  expect(subgraphSpan?.spanContext().traceId).toBe(traceId);
});
