import pg from 'pg';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { StartupError } from '@supergraph/config';
import { describePostgresError } from './postgres-url.ts';

export type Database = MikroORM;

export interface DatabaseOptions {
  /** Connects as the subgraph's own role. */
  clientUrl: string;
  /** The subgraph's own schema: entities and the migrations table live there. */
  schema: string;
  /**
   * The entities the ORM maps. A migration Job passes none: applying migration files needs no entity
   * metadata, and importing the entities would load everything their modules import (for the event
   * tables, BullMQ, GraphQL and OpenTelemetry), which is most of a Job's start-up time.
   */
  entities?: NonNullable<Options['entities']>;
  /** Folder of the subgraph's migration files and their snapshot. */
  migrationsPath: string;
  /**
   * Sees every SQL statement sent, with its parameters (tests count statements per operation with it;
   * `orm.em.getPlatform().formatQuery(sql, params)` is the text Postgres receives).
   */
  onQuery?: (sql: string, params: readonly unknown[]) => void;
  /** Most connections the pool opens (DATABASE_POOL_MAX); default 10. */
  poolMax?: number;
  /**
   * How long a statement waits for a pooled connection, or for a new one to open, before it fails
   * (DATABASE_POOL_ACQUIRE_TIMEOUT_MS); unset, it waits as long as it takes.
   */
  acquireTimeoutMs?: number;
}

/**
 * Connects a subgraph to its schema and applies its pending migrations before it serves anything.
 * Migrations are written unqualified (generated with no schema set, entities declared with the wildcard
 * schema), so the same files apply to whatever schema this deployment uses, tests' throwaway ones too.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const onQuery = options.onQuery;
  let orm: MikroORM;
  try {
    orm = await MikroORM.init({
      clientUrl: options.clientUrl,
      schema: options.schema,
      entities: options.entities ?? [],
      discovery: { warnWhenNoEntities: options.entities !== undefined },
      extensions: [Migrator],
      ensureDatabase: false,
      pool: { min: 0, max: options.poolMax ?? 10 },
      // MikroORM's pool options have no acquire timeout; pg's Pool applies connectionTimeoutMillis both to
      // waiting for a free client and to opening a new one.
      ...(options.acquireTimeoutMs
        ? { driverOptions: { connectionTimeoutMillis: options.acquireTimeoutMs } }
        : {}),
      migrations: {
        path: options.migrationsPath,
        schema: options.schema,
        includeWildcardSchema: true,
        // The committed snapshot belongs to migration generation; running never rewrites it.
        snapshot: false,
        snapshotOnMigrate: false,
        silent: true,
      },
      ...(onQuery
        ? { onQuery: (sql: string, params: readonly unknown[]) => (onQuery(sql, params), sql) }
        : {}),
    });
  } catch (error) {
    const { message, hint } = describePostgresError(error, options.clientUrl);
    throw new StartupError(message, hint, { cause: error });
  }

  try {
    await orm.connect();
    const connection = await orm.checkConnection();
    if (!connection.ok) throw connection.error ?? new Error(connection.reason);
    await migrateExclusively(orm, options);
  } catch (error) {
    await orm.close(true);
    const { message, hint } = describePostgresError(error, options.clientUrl);
    throw new StartupError(message, hint, { cause: error });
  }
  return orm;
}

/** The /ready check for Postgres: one round trip on the subgraph's own pool. */
export function postgresCheck(orm: Database): () => Promise<void> {
  return async () => {
    const result = await orm.checkConnection();
    if (!result.ok) throw new Error(result.reason);
  };
}

/**
 * Applies pending migrations while holding a session advisory lock keyed by the schema, so processes
 * that start together on one schema (an API and its worker, several replicas) migrate one at a time:
 * the first applies them, the others wait and then find nothing pending.
 */
async function migrateExclusively(orm: Database, options: DatabaseOptions): Promise<void> {
  const lock = new pg.Client({ connectionString: options.clientUrl });
  await lock.connect();
  try {
    const key = `supergraph-migrations:${options.schema}`;
    await lock.query('select pg_advisory_lock(hashtextextended($1, 0))', [key]);
    try {
      await orm.migrator.up();
    } finally {
      await lock.query('select pg_advisory_unlock(hashtextextended($1, 0))', [key]);
    }
  } finally {
    await lock.end();
  }
}
