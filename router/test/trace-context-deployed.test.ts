import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@supergraph/testing';
import { post } from './support/router-env.ts';
import { startRouterMain } from './support/router-main.ts';
import { composeSupergraph, createSupergraphFile, type SupergraphFile } from './support/supergraph.ts';
import {
  HELLO_TYPE_DEFS,
  startTraceparentSubgraph,
  type TraceparentSubgraph,
} from './support/traceparent-subgraph.ts';

// The router as operators run it, `node router/src/main.ts`: OpenTelemetry's HTTP instrumentation
// opens the request's server span, reading the client's traceparent before any code of ours runs,
// and the spans leave for an OTLP collector. At ratio 0 for new traces, only a client's sampled flag
// could get anything recorded.

let subgraph: TraceparentSubgraph;
let supergraph: SupergraphFile;
let collector: Server;
/** The bodies the collector received on /v1/traces (OTLP protobuf, which keeps ids as raw bytes). */
const exported: Buffer[] = [];

beforeAll(async () => {
  subgraph = await startTraceparentSubgraph();
  supergraph = createSupergraphFile(
    composeSupergraph([{ name: 'hello', url: subgraph.url, typeDefs: HELLO_TYPE_DEFS }]),
  );
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') exported.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await subgraph?.stop();
  supergraph?.remove();
  collector?.closeAllConnections();
  await new Promise((resolve) => collector?.close(resolve));
});

/**
 * Starts the router's main as its own process, sends one `{ hello }` with a client's sampled
 * traceparent, and stops it with SIGTERM, which exports what its spans left to export.
 */
async function tracedRequestThroughMain(vars: Record<string, string>) {
  exported.length = 0;
  const running = startRouterMain({
    SUPERGRAPH_PATH: supergraph.path,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0',
    ...vars,
  });
  const { child } = running;
  try {
    // null: the process ended without ever being ready.
    const url = await eventually(async () => {
      if (child.exitCode !== null) return null;
      return /"url":"(http:[^"]+)","sandbox".*"msg":"router ready"/.exec(running.stdout())?.[1];
    }, 60_000);
    if (url === null) throw new Error(`the router did not start: ${running.stderr()}`);
    const client = { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') };
    const received = subgraph.received.length;
    const result = await post(`${url}graphql`, '{ hello }', {
      traceparent: `00-${client.traceId}-${client.spanId}-01`,
    });
    expect(result).toEqual({ status: 200, data: { hello: 'hi' } });
    expect(subgraph.received).toHaveLength(received + 1);
    const [, traceId, , flags] = (subgraph.received.at(-1) ?? '').split('-');
    child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
    expect(running.stderr()).toBe('');
    return { client, subgraph: { traceId, flags } };
  } finally {
    child.kill('SIGKILL');
  }
}

const holds = (body: Buffer, traceId: string) => body.includes(Buffer.from(traceId, 'hex'));

describe('the router process, under the HTTP instrumentation', () => {
  it('by default starts its own trace: the subgraph sees another trace id, and at ratio 0 nothing is exported', async () => {
    const { client, subgraph: seen } = await tracedRequestThroughMain({});
    expect(seen.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.traceId).not.toBe(client.traceId);
    expect(seen.flags).toBe('00');
    expect(exported).toEqual([]);
  }, 150_000);

  it("with TRUST_CLIENT_TRACE_CONTEXT=true continues the client's trace, recorded as its flag asks", async () => {
    const { client, subgraph: seen } = await tracedRequestThroughMain({ TRUST_CLIENT_TRACE_CONTEXT: 'true' });
    expect(seen).toEqual({ traceId: client.traceId, flags: '01' });
    expect(exported.some((body) => holds(body, client.traceId))).toBe(true);
    // The instrumentation's own server span was there, and exported, so it too continued the client.
    expect(exported.some((body) => body.includes('@opentelemetry/instrumentation-http'))).toBe(true);
  }, 150_000);
});
