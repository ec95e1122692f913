import { afterEach, describe, expect, it } from '@jest/globals';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { baseEnv, parseEnv } from '@supergraph/config';
import { z } from 'zod';
import { activeTraceparent, incomingRequestContext, SpanKind, withSpan } from '../src/index.ts';
import {
  createSampler,
  PRODUCTION_SAMPLE_RATIO,
  startTelemetry,
  telemetryOptionsFromEnv,
  type SamplerConfig,
  type Telemetry,
} from '../src/sdk.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SAMPLED_CALLER = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const UNSAMPLED_CALLER = `00-${TRACE_ID}-00f067aa0ba902b7-00`;

let telemetry: Telemetry | undefined;

afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

async function recordingWith(sampler: SamplerConfig) {
  const exporter = new InMemorySpanExporter();
  telemetry = await startTelemetry({
    serviceName: 'sampling-test',
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    sampler,
    instrument: false,
  });
  return exporter;
}

/** Runs `count` requests that start a trace each, and returns the traceparent each passed on. */
async function rootSpans(count: number): Promise<string[]> {
  const passedOn: string[] = [];
  for (let index = 0; index < count; index += 1) {
    passedOn.push(await withSpan('test', `request ${index}`, {}, async () => activeTraceparent()!));
  }
  return passedOn;
}

/** A span continuing a caller's traceparent, as a subgraph's request span does. */
function continuing(traceparent: string) {
  const parent = incomingRequestContext({ traceparent });
  return withSpan('test', 'handle request', { kind: SpanKind.SERVER, parent }, async () => {});
}

const PARENT_BASED_DEFAULTS =
  'remoteParentSampled=AlwaysOnSampler, remoteParentNotSampled=AlwaysOffSampler, ' +
  'localParentSampled=AlwaysOnSampler, localParentNotSampled=AlwaysOffSampler';

describe('OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG', () => {
  const samplerOf = (env: Record<string, string>) => telemetryOptionsFromEnv('orders', env).sampler!;

  it('sample parent-based by ratio by default: every trace in development and test, one in ten in production', () => {
    expect(PRODUCTION_SAMPLE_RATIO).toBe(0.1);
    expect(samplerOf({})).toEqual({ name: 'parentbased_traceidratio', ratio: 1 });
    expect(samplerOf({ NODE_ENV: 'test' })).toEqual({ name: 'parentbased_traceidratio', ratio: 1 });
    expect(samplerOf({ NODE_ENV: 'production' })).toEqual({ name: 'parentbased_traceidratio', ratio: 0.1 });
    expect(samplerOf({ NODE_ENV: 'production', OTEL_TRACES_SAMPLER_ARG: '0.5' })).toEqual({
      name: 'parentbased_traceidratio',
      ratio: 0.5,
    });
    expect(
      samplerOf({ NODE_ENV: 'production', OTEL_TRACES_SAMPLER: '', OTEL_TRACES_SAMPLER_ARG: '' }),
    ).toEqual({ name: 'parentbased_traceidratio', ratio: 0.1 });
  });

  it.each([
    ['always_on', 'AlwaysOnSampler'],
    ['always_off', 'AlwaysOffSampler'],
    ['traceidratio', 'TraceIdRatioBased{0.25}'],
    ['parentbased_always_on', `ParentBased{root=AlwaysOnSampler, ${PARENT_BASED_DEFAULTS}}`],
    ['parentbased_always_off', `ParentBased{root=AlwaysOffSampler, ${PARENT_BASED_DEFAULTS}}`],
    ['parentbased_traceidratio', `ParentBased{root=TraceIdRatioBased{0.25}, ${PARENT_BASED_DEFAULTS}}`],
    // The spec reads the names case-insensitively.
    ['ParentBased_TraceIdRatio', `ParentBased{root=TraceIdRatioBased{0.25}, ${PARENT_BASED_DEFAULTS}}`],
  ])('%s is the SDK sampler %s', (name, sampler) => {
    const config = samplerOf({ OTEL_TRACES_SAMPLER: name, OTEL_TRACES_SAMPLER_ARG: '0.25' });
    expect(createSampler(config).toString()).toBe(sampler);
  });

  const processEnv = z.object(baseEnv);
  const refusal = (env: Record<string, string>) => () =>
    parseEnv(processEnv, { INTERNAL_SECRET: 'x'.repeat(32), ...env });

  it('refuses a sampler the spec does not name, or one it names that needs another package', () => {
    const choices =
      'always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio';
    expect(refusal({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(
      `invalid configuration: OTEL_TRACES_SAMPLER: must be one of ${choices}`,
    );
    expect(refusal({ OTEL_TRACES_SAMPLER: 'jaeger_remote' })).toThrow(
      `invalid configuration: OTEL_TRACES_SAMPLER: jaeger_remote is not supported (it needs a sampler package this service does not include); use one of ${choices}`,
    );
    expect(refusal({ OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote' })).toThrow(
      /OTEL_TRACES_SAMPLER: parentbased_jaeger_remote is not supported/,
    );
  });

  it.each(['1.5', '-0.1', 'half', '10%'])(
    'refuses %s as a ratio, on one line with every other problem',
    (arg) => {
      expect(refusal({ OTEL_TRACES_SAMPLER_ARG: arg, OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(
        /^invalid configuration: OTEL_TRACES_SAMPLER: must be one of [a-z_, ]+; OTEL_TRACES_SAMPLER_ARG: must be a ratio from 0 to 1, e\.g\. 0\.1 to keep one trace in ten$/,
      );
    },
  );

  it("exports nothing when a sampler variable is bad: the process's env.ts refuses to start", () => {
    expect(
      telemetryOptionsFromEnv('orders', {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
        OTEL_TRACES_SAMPLER_ARG: '2',
      }).endpoint,
    ).toBeUndefined();
  });
});

describe('sampling spans', () => {
  it('keeps every trace a request starts at ratio 1, and none at ratio 0, which still passes the trace on', async () => {
    const kept = await recordingWith({ name: 'parentbased_traceidratio', ratio: 1 });
    const keptIds = await rootSpans(10);
    expect(kept.getFinishedSpans()).toHaveLength(10);
    expect(keptIds.every((traceparent) => traceparent.endsWith('-01'))).toBe(true);
    await telemetry?.shutdown();

    const dropped = await recordingWith({ name: 'parentbased_traceidratio', ratio: 0 });
    const droppedIds = await rootSpans(10);
    expect(dropped.getFinishedSpans()).toEqual([]);
    // Unsampled, not untraced: the next hop learns the decision and the logs still carry trace ids.
    expect(droppedIds.every((traceparent) => /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/.test(traceparent))).toBe(
      true,
    );
  });

  it("parent-based: follows the caller's sampled flag, whatever the ratio for new traces", async () => {
    const neverNew = await recordingWith({ name: 'parentbased_traceidratio', ratio: 0 });
    await continuing(SAMPLED_CALLER);
    await continuing(UNSAMPLED_CALLER);
    expect(neverNew.getFinishedSpans().map((span) => span.spanContext().traceId)).toEqual([TRACE_ID]);
    await telemetry?.shutdown();

    const alwaysNew = await recordingWith({ name: 'parentbased_always_on', ratio: 1 });
    await continuing(UNSAMPLED_CALLER);
    await continuing(SAMPLED_CALLER);
    expect(alwaysNew.getFinishedSpans().map((span) => span.spanContext().traceId)).toEqual([TRACE_ID]);
  });

  it('traceidratio alone decides by the trace id and ignores the flag', async () => {
    const exporter = await recordingWith({ name: 'traceidratio', ratio: 0 });
    await continuing(SAMPLED_CALLER);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
