import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { SERVICE_ATTRIBUTE, SpanKind } from '@supergraph/telemetry';
import { startTelemetry, type Telemetry } from '@supergraph/telemetry/sdk';
import { startRouter, type Router } from '../src/app.ts';
import { post, routerTestEnv } from './support/router-env.ts';
import { composeSupergraph, createSupergraphFile, type SupergraphFile } from './support/supergraph.ts';
import {
  HELLO_TYPE_DEFS,
  startTraceparentSubgraph,
  type TraceparentSubgraph,
} from './support/traceparent-subgraph.ts';

// A public client's traceparent, with the sampled flag, through the router under jest (no
// auto-instrumentation: the router's own request span reads it). trace-context-deployed.test.ts
// does the same with the router as operators run it, under the HTTP instrumentation.

let subgraph: TraceparentSubgraph;
let supergraph: SupergraphFile;
let untrusting: Router;
let trusting: Router;
let telemetry: Telemetry | undefined;

beforeAll(async () => {
  subgraph = await startTraceparentSubgraph();
  supergraph = createSupergraphFile(
    composeSupergraph([{ name: 'hello', url: subgraph.url, typeDefs: HELLO_TYPE_DEFS }]),
  );
  const env = { SUPERGRAPH_PATH: supergraph.path, JWKS_URL: 'http://127.0.0.1:9/jwks.json' };
  [untrusting, trusting] = await Promise.all([
    startRouter(routerTestEnv(env)),
    startRouter(routerTestEnv({ ...env, TRUST_CLIENT_TRACE_CONTEXT: 'true' })),
  ]);
});

afterAll(async () => {
  await untrusting?.stop();
  await trusting?.stop();
  await subgraph?.stop();
  supergraph?.remove();
});

afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

/** The router's spans, recorded with the router's default sampler at the given ratio for new traces. */
async function recording(ratio: number) {
  const exporter = new InMemorySpanExporter();
  telemetry = await startTelemetry({
    serviceName: 'router',
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    sampler: { name: 'parentbased_traceidratio', ratio },
    instrument: false,
  });
  return exporter;
}

/** Asks `{ hello }` with a sampled traceparent of a client's own; returns it and what the subgraph got. */
async function askAsTracedClient(router: Router) {
  const client = { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') };
  const result = await post(`${router.url}graphql`, '{ hello }', {
    traceparent: `00-${client.traceId}-${client.spanId}-01`,
  });
  expect(result).toEqual({ status: 200, data: { hello: 'hi' } });
  const [, traceId, , flags] = (subgraph.received.at(-1) ?? '').split('-');
  return { client, subgraph: { traceId, flags } };
}

describe("a client's traceparent, by default (TRUST_CLIENT_TRACE_CONTEXT unset)", () => {
  it('is not continued: the subgraph sees a trace of the router, and at ratio 0 nothing is recorded', async () => {
    const exporter = await recording(0);
    const { client, subgraph: seen } = await askAsTracedClient(untrusting);
    expect(seen.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.traceId).not.toBe(client.traceId);
    // The router's own decision, passed on: not sampled, so no process records this trace.
    expect(seen.flags).toBe('00');
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it("starts the router's own trace, whose request span links to the client's", async () => {
    const exporter = await recording(1);
    const { client, subgraph: seen } = await askAsTracedClient(untrusting);
    expect(seen.traceId).not.toBe(client.traceId);
    expect(seen.flags).toBe('01');

    const spans = exporter.getFinishedSpans();
    expect(spans.filter((span) => span.spanContext().traceId === client.traceId)).toEqual([]);
    const request = spans.find(
      (span) => span.kind === SpanKind.SERVER && span.attributes[SERVICE_ATTRIBUTE] === 'router',
    );
    expect(request?.spanContext().traceId).toBe(seen.traceId);
    expect(request?.parentSpanContext).toBeUndefined();
    expect(request?.links.map((link) => link.context)).toEqual([
      expect.objectContaining({ traceId: client.traceId, spanId: client.spanId }),
    ]);
  });
});

describe("a client's traceparent with TRUST_CLIENT_TRACE_CONTEXT=true", () => {
  it('is continued to the subgraph, and its sampled flag records the request even at ratio 0', async () => {
    const exporter = await recording(0);
    const { client, subgraph: seen } = await askAsTracedClient(trusting);
    expect(seen).toEqual({ traceId: client.traceId, flags: '01' });

    const request = exporter
      .getFinishedSpans()
      .find((span) => span.kind === SpanKind.SERVER && span.attributes[SERVICE_ATTRIBUTE] === 'router');
    expect(request?.spanContext().traceId).toBe(client.traceId);
    expect(request?.parentSpanContext?.spanId).toBe(client.spanId);
    expect(request?.links).toEqual([]);
  });
});
