import { z } from 'zod';
import { parseEnv, serviceEnv } from '@supergraph/config';
import { eventEnv } from '@supergraph/events';

export const envSchema = z.object({
  ...serviceEnv({ port: 4003, schema: 'inventory' }),
  ...eventEnv({ workerPort: 4103 }),
});

export type Env = z.output<typeof envSchema>;

/** Reads the process's environment unless given another (tests pass their own). */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  return parseEnv(envSchema, source);
}
