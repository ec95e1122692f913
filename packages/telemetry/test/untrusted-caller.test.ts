import { afterEach, describe, expect, it } from '@jest/globals';
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import {
  incomingRequestContext,
  injectTraceContext,
  SpanKind,
  untrustedCallerLinks,
  withSpan,
} from '../src/index.ts';
import { startTelemetry, type SamplerConfig, type Telemetry } from '../src/sdk.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';
/** A client asking, with the sampled flag, for its request to be recorded in its own trace. */
const CLIENT = { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` };

const EVERY_TRACE: SamplerConfig = { name: 'parentbased_traceidratio', ratio: 1 };
const NO_NEW_TRACE: SamplerConfig = { name: 'parentbased_traceidratio', ratio: 0 };

let telemetry: Telemetry | undefined;

afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

async function recording(sampler: SamplerConfig, trustIncomingTraceContext?: boolean) {
  const exporter = new InMemorySpanExporter();
  telemetry = await startTelemetry({
    serviceName: 'untrusted-caller-test',
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    sampler,
    trustIncomingTraceContext,
    instrument: false,
  });
  return exporter;
}

/** What inRequestSpan does with a request: its span, and the headers of its call to the next hop. */
function handleRequest(headers: Record<string, string>, trustTraceContext?: boolean) {
  const parent = incomingRequestContext(headers, { trustTraceContext });
  const options = { kind: SpanKind.SERVER, parent, links: untrustedCallerLinks(parent) };
  return withSpan('test', 'handle request', options, async () => injectTraceContext({}));
}

/**
 * What the HTTP server instrumentation does in a deployed process before any of our code runs: it
 * extracts the request's context through the global propagator and opens the server span in it.
 */
function asInstrumented<T>(headers: Record<string, string>, handle: () => Promise<T>): Promise<T> {
  const extracted = propagation.extract(ROOT_CONTEXT, headers);
  const span = trace.getTracer('http').startSpan('POST', { kind: SpanKind.SERVER }, extracted);
  return context.with(trace.setSpan(extracted, span), handle).finally(() => span.end());
}

describe("a request whose caller's trace context is not trusted (a public client of the router)", () => {
  it("starts a trace of its own, linked to the caller's, and passes that one on", async () => {
    const exporter = await recording(EVERY_TRACE);
    const next = await handleRequest(CLIENT, false);
    const [span] = exporter.getFinishedSpans();
    const traceId = span!.spanContext().traceId;
    expect(traceId).not.toBe(TRACE_ID);
    expect(span!.parentSpanContext).toBeUndefined();
    expect(span!.links.map((link) => link.context)).toEqual([
      expect.objectContaining({ traceId: TRACE_ID, spanId: CALLER_SPAN_ID }),
    ]);
    expect(next.traceparent).toBe(`00-${traceId}-${span!.spanContext().spanId}-01`);
  });

  it('is not recorded because the caller set the sampled flag: our sampler decides', async () => {
    const exporter = await recording(NO_NEW_TRACE);
    const next = await handleRequest(CLIENT, false);
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(next.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(next.traceparent).not.toContain(TRACE_ID);
  });

  it('starts a trace as before when the caller sent none, and links to nothing', async () => {
    const exporter = await recording(EVERY_TRACE);
    await handleRequest({}, false);
    const [span] = exporter.getFinishedSpans();
    expect(span!.parentSpanContext).toBeUndefined();
    expect(span!.links).toEqual([]);
  });

  it('is continued, sampled flag and all, by a process that trusts its callers (the default)', async () => {
    const exporter = await recording(NO_NEW_TRACE);
    const next = await handleRequest(CLIENT);
    const [span] = exporter.getFinishedSpans();
    expect(span!.spanContext().traceId).toBe(TRACE_ID);
    expect(span!.parentSpanContext?.spanId).toBe(CALLER_SPAN_ID);
    expect(span!.links).toEqual([]);
    expect(next.traceparent).toBe(`00-${TRACE_ID}-${span!.spanContext().spanId}-01`);
  });
});

describe('a process that trusts no caller (trustIncomingTraceContext: false), under the HTTP instrumentation', () => {
  it("opens the instrumentation's server span as a root of our own, the request's span under it links the caller", async () => {
    const exporter = await recording(EVERY_TRACE, false);
    const next = await asInstrumented(CLIENT, () => handleRequest(CLIENT, false));
    const [request, server] = exporter.getFinishedSpans();
    expect(server!.spanContext().traceId).not.toBe(TRACE_ID);
    expect(server!.parentSpanContext).toBeUndefined();
    expect(request!.spanContext().traceId).toBe(server!.spanContext().traceId);
    expect(request!.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
    expect(request!.links.map((link) => link.context)).toEqual([
      expect.objectContaining({ traceId: TRACE_ID, spanId: CALLER_SPAN_ID }),
    ]);
    expect(next.traceparent).toBe(`00-${server!.spanContext().traceId}-${request!.spanContext().spanId}-01`);
  });

  it("records nothing at ratio 0 whatever the client's flag says", async () => {
    const exporter = await recording(NO_NEW_TRACE, false);
    const next = await asInstrumented(CLIENT, () => handleRequest(CLIENT, false));
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(next.traceparent).toMatch(/-00$/);
    expect(next.traceparent).not.toContain(TRACE_ID);
  });

  it('continues no caller even with nothing exported, and still writes its own traceparent', async () => {
    telemetry = await startTelemetry({
      serviceName: 'untrusted-caller-test',
      trustIncomingTraceContext: false,
      instrument: false,
    });
    expect(trace.getSpan(propagation.extract(ROOT_CONTEXT, CLIENT))).toBeUndefined();
    const ours = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: TRACE_ID,
      spanId: CALLER_SPAN_ID,
      traceFlags: 1,
    });
    expect(context.with(ours, () => injectTraceContext({}))).toEqual(CLIENT);
  });
});
