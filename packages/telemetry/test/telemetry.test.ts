import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { baseEnv, parseEnv } from '@supergraph/config';
import { z } from 'zod';
import {
  activeTraceparent,
  contextFromTraceparent,
  currentTraceIds,
  incomingRequestContext,
  injectTraceContext,
  SpanKind,
  withSpan,
} from '../src/index.ts';
import { startTelemetry, telemetryOptionsFromEnv, type Telemetry } from '../src/sdk.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';
const CALLER = `00-${TRACE_ID}-${CALLER_SPAN_ID}-01`;

let telemetry: Telemetry | undefined;

afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

async function recording() {
  const exporter = new InMemorySpanExporter();
  telemetry = await startTelemetry({
    serviceName: 'telemetry-test',
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    instrument: false,
  });
  return exporter;
}

describe('telemetryOptionsFromEnv', () => {
  // Outside production (sampling.test.ts has the rest).
  const EVERY_NEW_TRACE = { name: 'parentbased_traceidratio', ratio: 1 };

  it('takes the process name unless OTEL_SERVICE_NAME says otherwise, and no endpoint means none', () => {
    expect(telemetryOptionsFromEnv('orders', {})).toEqual({
      serviceName: 'orders',
      endpoint: undefined,
      sampler: EVERY_NEW_TRACE,
    });
    expect(
      telemetryOptionsFromEnv('orders', {
        OTEL_SERVICE_NAME: 'orders-eu',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
      }),
    ).toEqual({ serviceName: 'orders-eu', endpoint: 'http://jaeger:4318', sampler: EVERY_NEW_TRACE });
    expect(telemetryOptionsFromEnv('orders', { OTEL_EXPORTER_OTLP_ENDPOINT: '' }).endpoint).toBeUndefined();
  });

  it("exports nothing for an endpoint that is not an http(s) URL: the process's env.ts refuses it", () => {
    expect(telemetryOptionsFromEnv('orders', { OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318' })).toEqual({
      serviceName: 'orders',
      endpoint: undefined,
      sampler: EVERY_NEW_TRACE,
    });
    const processEnv = z.object(baseEnv);
    expect(() =>
      parseEnv(processEnv, { INTERNAL_SECRET: 'short', OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318' }),
    ).toThrow(
      /INTERNAL_SECRET: must be at least 32 characters; OTEL_EXPORTER_OTLP_ENDPOINT: must be the http\(s\) base URL/,
    );
  });
});

describe('trace context across a process boundary', () => {
  it("continues a caller's traceparent in a server span, and hands the next hop a child of it", async () => {
    const exporter = await recording();
    const headers = await withSpan(
      'test',
      'handle request',
      { kind: SpanKind.SERVER, parent: incomingRequestContext({ traceparent: CALLER }) },
      async () => injectTraceContext({ 'content-type': 'application/json' }),
    );
    const [span] = exporter.getFinishedSpans();
    expect(span?.spanContext().traceId).toBe(TRACE_ID);
    expect(span?.parentSpanContext?.spanId).toBe(CALLER_SPAN_ID);
    expect(headers).toEqual({
      'content-type': 'application/json',
      traceparent: `00-${TRACE_ID}-${span?.spanContext().spanId}-01`,
    });
  });

  it('resumes a stored traceparent later, and starts a trace of its own without one', async () => {
    const exporter = await recording();
    const stored = await withSpan('test', 'record event', {}, async () => activeTraceparent());
    await withSpan('test', 'handle event', { parent: contextFromTraceparent(stored) }, async () => {});
    await withSpan('test', 'untraced event', { parent: contextFromTraceparent(undefined) }, async () => {});
    const [recorded, handled, untraced] = exporter.getFinishedSpans();
    expect(handled?.spanContext().traceId).toBe(recorded?.spanContext().traceId);
    expect(handled?.parentSpanContext?.spanId).toBe(recorded?.spanContext().spanId);
    expect(untraced?.parentSpanContext).toBeUndefined();
    expect(untraced?.spanContext().traceId).not.toBe(recorded?.spanContext().traceId);
  });

  it('marks a span failed when its work throws, and rethrows', async () => {
    const exporter = await recording();
    await expect(
      withSpan('test', 'failing', {}, async () => {
        throw new Error('the database is gone');
      }),
    ).rejects.toThrow('the database is gone');
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toEqual({ code: 2, message: 'the database is gone' });
    expect(span?.events.map((event) => event.name)).toEqual(['exception']);
  });

  it("with nothing exported, still passes a caller's trace on and names it in logs", async () => {
    telemetry = await startTelemetry({ serviceName: 'telemetry-test', instrument: false });
    expect(telemetry.tracing).toBe(false);
    const seen = await withSpan(
      'test',
      'unrecorded',
      { parent: incomingRequestContext({ traceparent: CALLER }) },
      async () => ({
        ids: currentTraceIds(),
        next: activeTraceparent(),
      }),
    );
    expect(seen).toEqual({ ids: { trace_id: TRACE_ID, span_id: CALLER_SPAN_ID }, next: CALLER });
  });

  it('has no trace ids outside a trace', async () => {
    await recording();
    expect(currentTraceIds()).toEqual({});
  });
});

describe('export to an OTLP collector', () => {
  let collector: Server | undefined;

  afterEach(async () => {
    collector?.closeAllConnections();
    await new Promise((resolve) => collector?.close(resolve));
  });

  it('posts the spans as OTLP/HTTP protobuf to /v1/traces of the endpoint, at the latest on shutdown', async () => {
    const received: Array<{ path?: string; headers: IncomingHttpHeaders; body: Buffer }> = [];
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => collector!.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    telemetry = await startTelemetry({ serviceName: 'exporting-service', endpoint, instrument: false });
    await withSpan('test', 'exported work', {}, async () => {});
    await telemetry.shutdown();
    telemetry = undefined;

    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      path: '/v1/traces',
      headers: { 'content-type': 'application/x-protobuf' },
    });
    // Protobuf keeps strings as they are: the service and the span name are in the body.
    expect(received[0]!.body.includes('exporting-service')).toBe(true);
    expect(received[0]!.body.includes('exported work')).toBe(true);
  });
});
