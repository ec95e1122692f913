import { telemetryEnvSchema } from '@supergraph/config';
import type { TelemetryOptions } from './start-telemetry.ts';

/**
 * The share of new traces kept in production when OTEL_TRACES_SAMPLER_ARG is unset. Tracing every
 * request would cost the collector and its storage far more than the traces an operator ever opens,
 * and one in ten still shows every operation of a busy shop many times a minute. Elsewhere every
 * trace is kept, so that local and test traces are complete.
 */
export const PRODUCTION_SAMPLE_RATIO = 0.1;

/**
 * A process's telemetry options from OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME,
 * OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG (and NODE_ENV, for the default ratio), read before
 * its env.ts (which imports the modules telemetry must see load). A bad value exports nothing here:
 * the process's env.ts checks these variables again and refuses to start, naming them with every
 * other problem in one line.
 */
export function telemetryOptionsFromEnv(
  processName: string,
  source: Record<string, string | undefined> = process.env,
): TelemetryOptions {
  const parsed = telemetryEnvSchema.safeParse(source);
  // The defaults alone: no endpoint, so nothing leaves a process that is about to refuse to start.
  const env = parsed.success ? parsed.data : telemetryEnvSchema.parse({});
  const ratio = env.OTEL_TRACES_SAMPLER_ARG ?? (env.NODE_ENV === 'production' ? PRODUCTION_SAMPLE_RATIO : 1);
  return {
    serviceName: env.OTEL_SERVICE_NAME ?? processName,
    endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    sampler: { name: env.OTEL_TRACES_SAMPLER, ratio },
  };
}
