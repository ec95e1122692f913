import { z } from 'zod';
import { parseEnv, serviceEnv } from '@supergraph/config';

export const envSchema = z.object({
  ...serviceEnv({ port: 4003, schema: 'inventory' }),
});

export type Env = z.output<typeof envSchema>;

/** Reads the process's environment unless given another (tests pass their own). */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  return parseEnv(envSchema, source);
}
