// The OpenTelemetry SDK for a process's main.ts (before it imports the application) and for tests.
export { PRODUCTION_SAMPLE_RATIO, telemetryOptionsFromEnv } from './env.ts';
export { createSampler, type SamplerConfig, type SamplerName } from './sampler.ts';
export { startTelemetry, type Telemetry, type TelemetryOptions } from './start-telemetry.ts';
