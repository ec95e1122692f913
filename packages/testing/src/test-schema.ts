import { randomBytes } from 'node:crypto';
import { dropSubgraphSchema, provisionSubgraphSchema, withDatabaseName } from '@supergraph/db';

/** A superuser connection; on our machines Postgres trusts local connections. */
export const TEST_ADMIN_DATABASE_URL =
  process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_DATABASE = process.env.TEST_DATABASE ?? 'supergraph_test';

export interface TestSchema {
  /** Role name and schema name. */
  name: string;
  /** Connects as the schema's own role, exactly as the subgraph does in production. */
  clientUrl: string;
  drop: () => Promise<void>;
}

/**
 * A throwaway schema and role for one test file, provisioned by the same code that provisions a real
 * deployment, so each file starts from an empty schema and runs the subgraph's real migrations.
 */
export async function createTestSchema(
  subgraph: string,
  /** Another Postgres than the shared one (a test that restarts Postgres runs its own). */
  adminUrl: string = TEST_ADMIN_DATABASE_URL,
): Promise<TestSchema> {
  const name = `t_${subgraph}_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const grant = { database: TEST_DATABASE, name, password };
  await provisionSubgraphSchema(adminUrl, grant);
  const url = new URL(withDatabaseName(adminUrl, TEST_DATABASE));
  url.username = name;
  url.password = password;
  return {
    name,
    clientUrl: url.toString(),
    drop: () => dropSubgraphSchema(adminUrl, grant),
  };
}
