import { z } from 'zod';

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

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
  };
}
