import { z } from 'zod';
import { parseEnv, serviceEnv } from '@supergraph/config';
import { eventEnv } from '@supergraph/events';
import { breakerEnv } from '@supergraph/resilience';

export const envSchema = z.object({
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
});

export type Env = z.output<typeof envSchema>;

/** Reads the process's environment unless given another (tests pass their own). */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  return parseEnv(envSchema, source);
}
