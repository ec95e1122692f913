import { telemetryEnvSchema } from '@supergraph/config';
import type { TelemetryOptions } from './start-telemetry.ts';

/**
 * A process's telemetry options from OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_SERVICE_NAME, read before its
 * env.ts (which imports the modules telemetry must see load). A bad value exports nothing here: the
 * process's env.ts checks these variables again and refuses to start, naming them with every other
 * problem in one line.
 */
export function telemetryOptionsFromEnv(
  processName: string,
  source: Record<string, string | undefined> = process.env,
): TelemetryOptions {
  const parsed = telemetryEnvSchema.safeParse(source);
  const env = parsed.success ? parsed.data : {};
  return { serviceName: env.OTEL_SERVICE_NAME ?? processName, endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT };
}
