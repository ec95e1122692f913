import { z } from 'zod';
import { parseEnv, serviceEnv } from '@supergraph/config';

/**
 * What a migration Job reads: where the subgraph's schema is, nothing else. A Job gets the deployable's
 * shared ConfigMaps too, so other variables are ignored rather than required (no INTERNAL_SECRET, Redis
 * or signing key: it only talks to Postgres).
 */
function migrationEnvSchema(subgraph: string) {
  const { DATABASE_URL, DATABASE_SCHEMA } = serviceEnv({ port: 0, schema: subgraph });
  return z.object({ DATABASE_URL, DATABASE_SCHEMA });
}

export type MigrationEnv = z.output<ReturnType<typeof migrationEnvSchema>>;

/** The migration Job's environment: the process's own by default. */
export function loadMigrationEnv(
  subgraph: string,
  source: Record<string, string | undefined> = process.env,
): MigrationEnv {
  return parseEnv(migrationEnvSchema(subgraph), source);
}
