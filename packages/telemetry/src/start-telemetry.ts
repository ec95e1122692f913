import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  processDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { registerEsmLoaderHook } from './esm-loader-hook.ts';
import { createInstrumentations } from './instrumentations.ts';
import { createSampler, type SamplerConfig } from './sampler.ts';
import { UntrustedCallerPropagator } from './untrusted-caller-propagator.ts';

export interface TelemetryOptions {
  /** The spans' service.name: the process's name (router, orders, orders-worker, ...). */
  serviceName: string;
  /** Base URL of an OTLP/HTTP collector (spans go to its /v1/traces as protobuf); none: no export. */
  endpoint?: string;
  /** Processors of the caller's own, e.g. a test's SimpleSpanProcessor over an InMemorySpanExporter. */
  spanProcessors?: SpanProcessor[];
  /**
   * Which traces are recorded (OTEL_TRACES_SAMPLER and its ARG); by default every one
   * (parentbased_always_on), as a test wants.
   */
  sampler?: SamplerConfig;
  /**
   * Whether a caller's `traceparent` is continued (the default) or only linked from a trace of this
   * process's own. The router, which public clients call, passes its TRUST_CLIENT_TRACE_CONTEXT here
   * and to inRequestSpan: here for the HTTP instrumentation's span, there for a process without it.
   */
  trustIncomingTraceContext?: boolean;
  /**
   * Patch HTTP, fetch, GraphQL, Postgres and Redis as they load (the default). Tests pass false:
   * jest loads modules through its own vm, which the loader hooks cannot see into.
   */
  instrument?: boolean;
}

export interface Telemetry {
  /** Whether spans are recorded and exported (an endpoint or processors were given). */
  tracing: boolean;
  /** Exports what is still buffered and stops; call once the process has stopped serving. */
  shutdown: () => Promise<void>;
}

const RECORD_ALL: SamplerConfig = { name: 'parentbased_always_on', ratio: 1 };

function otlpProcessor(endpoint: string): SpanProcessor {
  const url = new URL('v1/traces', endpoint.endsWith('/') ? endpoint : `${endpoint}/`).toString();
  return new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) });
}

async function resourceFor(serviceName: string) {
  // OTEL_RESOURCE_ATTRIBUTES, the host (the pod, in Kubernetes) and the process, then our name.
  const detected = detectResources({ detectors: [envDetector, hostDetector, processDetector] });
  await detected.waitForAsyncAttributes?.();
  return defaultResource()
    .merge(detected)
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }));
}

async function instrument(tracerProvider: TracerProvider): Promise<() => void> {
  const loaderReady = registerEsmLoaderHook();
  const unregister = registerInstrumentations({ tracerProvider, instrumentations: createInstrumentations() });
  await loaderReady();
  return unregister;
}

function resetGlobals(): void {
  trace.disable();
  propagation.disable();
  context.disable();
}

/**
 * Starts OpenTelemetry for this process. Call it first, and import the application only afterwards:
 * an instrumentation patches a module as it loads. The context manager and the W3C propagator are
 * always on, so a trusted caller's `traceparent` reaches the logs and the next hop even when nothing
 * is exported; spans are recorded only with an endpoint or processors, and only as the sampler says.
 */
export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    options.trustIncomingTraceContext === false
      ? new UntrustedCallerPropagator()
      : new W3CTraceContextPropagator(),
  );
  const spanProcessors = [
    ...(options.endpoint ? [otlpProcessor(options.endpoint)] : []),
    ...(options.spanProcessors ?? []),
  ];
  if (spanProcessors.length === 0) return { tracing: false, shutdown: async () => resetGlobals() };

  const provider = new TracerProvider({
    resource: await resourceFor(options.serviceName),
    spanProcessors,
    sampler: createSampler(options.sampler ?? RECORD_ALL),
  });
  trace.setGlobalTracerProvider(provider);
  const uninstrument = options.instrument === false ? () => {} : await instrument(provider);
  return {
    tracing: true,
    shutdown: async () => {
      uninstrument();
      await provider.shutdown();
      resetGlobals();
    },
  };
}
