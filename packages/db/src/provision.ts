import pg from 'pg';
import { withDatabaseName } from './postgres-url.ts';

export interface SchemaGrant {
  /** Database that holds the subgraphs' schemas. */
  database: string;
  /** Role name and schema name: a subgraph's role owns exactly one schema of the same name. */
  name: string;
  password: string;
}

const identifier = /^[a-z_][a-z0-9_]*$/;

function quoteIdentifier(name: string): string {
  if (!identifier.test(name)) throw new Error(`not a safe Postgres identifier: ${name}`);
  return `"${name}"`;
}

/**
 * Grants and revokes on one database rewrite the same catalog row; two provisioners at once (parallel
 * test files, replicas starting together) would fail with "tuple concurrently updated". They take
 * turns behind an advisory lock held for one transaction.
 */
async function serialized<T>(client: pg.Client, work: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    await client.query("select pg_advisory_xact_lock(hashtext('supergraph:provision'))");
    const result = await work();
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates (or updates) a subgraph's role and schema as a superuser would: the role can log in, owns its
 * schema, and reaches nothing else in the database (the public schema is closed to everyone). Safe to
 * run again; concurrent runs for different subgraphs do not conflict.
 */
export async function provisionSubgraphSchema(adminUrl: string, grant: SchemaGrant): Promise<void> {
  const role = quoteIdentifier(grant.name);
  const database = quoteIdentifier(grant.database);
  await withClient(withDatabaseName(adminUrl, 'postgres'), async (client) => {
    const exists = await client.query('select 1 from pg_database where datname = $1', [grant.database]);
    if (exists.rowCount === 0) {
      await client.query(`create database ${database}`).catch((error: { code?: string }) => {
        // Another process created it between the check and the create.
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
    // Role names are cluster-wide; two provisioners may race on the same one.
    await client
      .query(
        `do $$ begin
           if not exists (select from pg_roles where rolname = '${grant.name}') then
             create role ${role} login;
           end if;
         end $$`,
      )
      .catch((error: { code?: string }) => {
        if (error.code !== '23505' && error.code !== '42710') throw error;
      });
    await client.query(`alter role ${role} with login password '${grant.password.replaceAll("'", "''")}'`);
  });
  await withClient(withDatabaseName(adminUrl, grant.database), (client) =>
    serialized(client, async () => {
      await client.query('revoke all on schema public from public');
      await client.query(`revoke all on database ${database} from public`);
      await client.query(`grant connect, temporary on database ${database} to ${role}`);
      await client.query(`create schema if not exists ${role} authorization ${role}`);
      await client.query(`alter schema ${role} owner to ${role}`);
    }),
  );
}

/** Removes a subgraph's schema, its data and its role (used by tests for their throwaway schemas). */
export async function dropSubgraphSchema(
  adminUrl: string,
  grant: Omit<SchemaGrant, 'password'>,
): Promise<void> {
  const role = quoteIdentifier(grant.name);
  await withClient(withDatabaseName(adminUrl, grant.database), (client) =>
    serialized(client, async () => {
      await client.query(`drop schema if exists ${role} cascade`);
      await client.query(`revoke all on database ${quoteIdentifier(grant.database)} from ${role}`);
    }),
  );
  await withClient(withDatabaseName(adminUrl, 'postgres'), (client) =>
    client.query(`drop role if exists ${role}`),
  );
}
