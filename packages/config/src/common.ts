import { z } from 'zod';

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** An unset variable and one set to nothing (`OTEL_EXPORTER_OTLP_ENDPOINT=` in a compose file) mean the same. */
const emptyAsUnset = (value: unknown) => (value === '' ? undefined : value);

/**
 * OpenTelemetry's standard variables, read before anything else loads (@supergraph/telemetry's
 * `telemetryOptionsFromEnv`) and validated again with the rest of a process's environment.
 */
const telemetryEnv = {
  // The OTLP/HTTP collector's base URL; spans go to its /v1/traces. Unset: no spans are exported.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(
    emptyAsUnset,
    z
      .url({
        protocol: /^https?$/,
        error: 'must be the http(s) base URL of an OTLP/HTTP collector, e.g. http://jaeger:4318',
      })
      .optional(),
  ),
  // Overrides the process's own name (router, orders, orders-worker, ...) as the spans' service.name.
  OTEL_SERVICE_NAME: z.preprocess(emptyAsUnset, z.string().min(1).optional()),
};
export const telemetryEnvSchema = z.object(telemetryEnv);

/** Variables every process reads: how it runs and how it talks to its peers. */
export const baseEnv = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: logLevel.default('info'),
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
    .default('redis://127.0.0.1:6379'),
  INTERNAL_SECRET: z
    .string({ error: 'set the secret the router and subgraphs share (32 characters or more)' })
    .min(32, 'must be at least 32 characters'),
  ...telemetryEnv,
};

/** Variables of a subgraph: the base ones plus its port and its own Postgres schema. */
export function serviceEnv(defaults: { port: number; schema: string }) {
  return {
    ...baseEnv,
    PORT: z.coerce.number().int().min(0).max(65535).default(defaults.port),
    DATABASE_URL: z.url({
      protocol: /^postgres(ql)?$/,
      error: 'must be a postgres:// URL, e.g. postgres://users:users@127.0.0.1:5432/supergraph',
    }),
    DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case Postgres identifier')
      .default(defaults.schema),
    SEED_ON_START: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    ...databasePoolEnv,
  };
}

/** A whole number within bounds, with one message that names them whatever is wrong with the value. */
function boundedInt(min: number, max: number, unit: string) {
  const error = `must be a whole number of ${unit} from ${min} to ${max}`;
  return z.coerce.number({ error }).int(error).min(min, error).max(max, error);
}

/**
 * The process's Postgres pool. Every replica of every process on one server holds up to
 * DATABASE_POOL_MAX connections, and together they must stay under its max_connections (100 by
 * default), hence the bound. A statement waits at most DATABASE_POOL_ACQUIRE_TIMEOUT_MS for a pooled
 * connection (or a new one to open) and then fails, rather than queueing without end behind a pool
 * that is saturated or a Postgres that does not answer; the default is the router's own subgraph
 * timeout, past which nobody waits for the answer any more.
 */
const databasePoolEnv = {
  DATABASE_POOL_MAX: boundedInt(1, 100, 'connections').default(10),
  DATABASE_POOL_ACQUIRE_TIMEOUT_MS: boundedInt(100, 120_000, 'milliseconds').default(10_000),
};
