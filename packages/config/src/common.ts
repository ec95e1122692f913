import { z } from 'zod';

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** An unset variable and one set to nothing (`OTEL_EXPORTER_OTLP_ENDPOINT=` in a compose file) mean the same. */
const emptyAsUnset = (value: unknown) => (value === '' ? undefined : value);

/** Blanks around a value are a quoting slip, and a blank value is none. */
const trimmed = (value: unknown) => (typeof value === 'string' ? emptyAsUnset(value.trim()) : value);

/** The spec reads the values of its enums case-insensitively. */
const lowerCase = (value: unknown) => (typeof value === 'string' ? trimmed(value.toLowerCase()) : value);

const nodeEnv = z.enum(['development', 'test', 'production']).default('development');

/** The samplers of the OpenTelemetry spec that @opentelemetry/sdk-trace itself provides. */
const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/** Samplers the spec also names, each from a package of its own that no process here loads. */
const UNSUPPORTED_TRACES_SAMPLERS = new Set(['jaeger_remote', 'parentbased_jaeger_remote', 'xray']);

const SAMPLERS_LIST = TRACES_SAMPLERS.join(', ');
const RATIO = 'must be a ratio from 0 to 1, e.g. 0.1 to keep one trace in ten';

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
  // Which traces are recorded (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/).
  // Parent-based by default: a trace is kept or dropped whole, by the process that starts it (the
  // router for a client's request), and every process after it follows the sampled flag it receives.
  OTEL_TRACES_SAMPLER: z.preprocess(
    lowerCase,
    z
      .enum(TRACES_SAMPLERS, {
        error: (issue) =>
          UNSUPPORTED_TRACES_SAMPLERS.has(String(issue.input))
            ? `${String(issue.input)} is not supported (it needs a sampler package this service does not include); use one of ${SAMPLERS_LIST}`
            : `must be one of ${SAMPLERS_LIST}`,
      })
      .default('parentbased_traceidratio'),
  ),
  // The share of new traces the ratio samplers keep. Unset: 0.1 in production and 1 elsewhere
  // (PRODUCTION_SAMPLE_RATIO in @supergraph/telemetry's env.ts says why).
  OTEL_TRACES_SAMPLER_ARG: z.preprocess(
    trimmed,
    z.coerce.number({ error: RATIO }).min(0, RATIO).max(1, RATIO).optional(),
  ),
};
/** The telemetry variables, and NODE_ENV, on which the default sampling ratio depends. */
export const telemetryEnvSchema = z.object({ NODE_ENV: nodeEnv, ...telemetryEnv });

/** Variables every process reads: how it runs and how it talks to its peers. */
export const baseEnv = {
  NODE_ENV: nodeEnv,
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
