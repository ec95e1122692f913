// Development settings shared by the start and provision scripts: where Postgres and Redis are, and
// the local secrets, generated once into .local/ (git-ignored) so tokens survive a restart.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { provisionSubgraphSchema, withDatabaseName } from '@supergraph/db';

const LOCAL = new URL('../.local/', import.meta.url);

export function devDatabase(): { adminUrl: string; database: string; host: string; port: string } {
  const adminUrl = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const parsed = new URL(adminUrl);
  return {
    adminUrl,
    database: process.env.DATABASE_NAME ?? 'supergraph',
    host: parsed.hostname,
    port: parsed.port || '5432',
  };
}

/**
 * Each subgraph's role and schema on the development database, the password being the role's name
 * (local use only; compose and production provision real passwords).
 */
export async function provisionDevDatabase(subgraphs: readonly { name: string }[]): Promise<void> {
  const { adminUrl, database } = devDatabase();
  for (const { name } of subgraphs)
    await provisionSubgraphSchema(adminUrl, { database, name, password: name });
}

/** The URL a subgraph uses in development: its own role on the shared development database. */
export function devSubgraphDatabaseUrl(name: string): string {
  const { adminUrl, database } = devDatabase();
  const url = new URL(withDatabaseName(adminUrl, database));
  url.username = name;
  url.password = name;
  return url.toString();
}

export interface DevSecrets {
  INTERNAL_SECRET: string;
  JWT_PRIVATE_KEY: string;
}

export function devSecrets(): DevSecrets {
  const file = new URL('dev-secrets.json', LOCAL);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  const secrets: DevSecrets = {
    INTERNAL_SECRET: randomBytes(32).toString('hex'),
    JWT_PRIVATE_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
  };
  mkdirSync(LOCAL, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
