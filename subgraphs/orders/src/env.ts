import { z } from 'zod';
import { parseEnv, serviceEnv } from '@supergraph/config';
import { eventEnv } from '@supergraph/events';
import { breakerEnv } from '@supergraph/resilience';

const milliseconds = z.coerce.number().int().positive();

export const envSchema = z
  .object({
    ...serviceEnv({ port: 4004, schema: 'orders' }),
    ...eventEnv({ workerPort: 4104 }),
    /** Where orders asks for today's prices: the products subgraph itself, not the router. */
    PRODUCTS_URL: z
      .url({
        protocol: /^https?$/,
        error: 'must be the products subgraph URL, e.g. http://127.0.0.1:4002/graphql',
      })
      .default('http://127.0.0.1:4002/graphql'),
    ...breakerEnv('PRODUCTS', { timeoutMs: 2000 }),
    /** How often the worker's saga sweeper looks for orders still PENDING (saga-sweeper.ts). */
    SAGA_SWEEP_INTERVAL_MS: milliseconds.min(100).default(30_000),
    /** A PENDING order this old has its saga re-driven, again every as long while it stays PENDING. */
    SAGA_REDRIVE_AFTER_MS: milliseconds.default(2 * 60_000),
    /** A PENDING order this old is cancelled, and what was held for it released. */
    SAGA_CANCEL_AFTER_MS: milliseconds.default(15 * 60_000),
  })
  .refine((env) => env.SAGA_CANCEL_AFTER_MS > env.SAGA_REDRIVE_AFTER_MS, {
    path: ['SAGA_CANCEL_AFTER_MS'],
    message:
      'must be longer than SAGA_REDRIVE_AFTER_MS, or no order is ever re-driven before it is cancelled',
  });

export type Env = z.output<typeof envSchema>;

/** Reads the process's environment unless given another (tests pass their own). */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  return parseEnv(envSchema, source);
}
