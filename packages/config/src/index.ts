export { ConfigError, parseEnv } from './parse-env.ts';
export { baseEnv, serviceEnv, telemetryEnvSchema } from './common.ts';
export { describeStartupError, runMain } from './run-main.ts';
export { StartupError } from './startup-error.ts';
