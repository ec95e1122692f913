// The OpenTelemetry SDK for a process's main.ts (before it imports the application) and for tests.
export { telemetryOptionsFromEnv } from './env.ts';
export { startTelemetry, type Telemetry, type TelemetryOptions } from './start-telemetry.ts';
