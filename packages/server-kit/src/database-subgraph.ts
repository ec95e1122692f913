import { openDatabase, postgresCheck, type Database, type DatabaseOptions } from '@supergraph/db';
import { createLogger, type Logger } from '@supergraph/logging';
import { createFallbackNonceStore } from './fallback-nonce-store.ts';
import { createInMemoryNonceStore } from './in-memory-nonce-store.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createRedisNonceStore } from './redis-nonce-store.ts';
import { connectRedis, redisCheck } from './redis.ts';
import {
  startSubgraphServer,
  type RequestContext,
  type RouteHandler,
  type SubgraphServer,
} from './subgraph-server.ts';
import { loadTypeDefs } from './type-defs.ts';

/** The variables every subgraph reads (`serviceEnv` in @supergraph/config), as parsed. */
export interface SubgraphEnv {
  NODE_ENV: 'development' | 'test' | 'production';
  HOST: string;
  PORT: number;
  LOG_LEVEL: string;
  REDIS_URL: string;
  INTERNAL_SECRET: string;
  DATABASE_URL: string;
  DATABASE_SCHEMA: string;
  DATABASE_POOL_MAX: number;
  DATABASE_POOL_ACQUIRE_TIMEOUT_MS: number;
  SEED_ON_START: boolean;
}

export interface DatabaseSubgraphOptions<TContext extends RequestContext> {
  name: string;
  env: SubgraphEnv;
  /** The subgraph's folder (`new URL('..', import.meta.url)` from its src/): schema.graphql, migrations/. */
  root: URL;
  entities: DatabaseOptions['entities'];
  resolvers: object;
  createContext: (orm: Database) => (base: RequestContext) => TContext;
  /** Idempotent demo data, loaded when SEED_ON_START is true; returns what it inserted, for the log. */
  seed?: (orm: Database) => Promise<number>;
  routes?: Record<string, RouteHandler>;
  onQuery?: (sql: string) => void;
  logger?: Logger;
  /** Closes what the composition root opened besides the ORM and Redis (a breaker, an SMTP pool). */
  closers?: Array<() => Promise<unknown>>;
  /**
   * Work the process runs beside serving GraphQL on the same ORM (the outbox relay), started once the
   * schema is migrated and stopped after HTTP has drained, before the ORM closes.
   */
  background?: (
    orm: Database,
    tools: { name: string; logger: Logger; metrics: Metrics },
  ) => { stop: () => Promise<void> };
}

/**
 * Everything a Postgres-backed subgraph does to start, in the order that leaves nothing behind when a
 * step fails: Redis (the cheaper check, and a failure leaves no migrated schema), then its schema with
 * migrations applied, then seed data, then the server, whose stop closes the ORM and Redis.
 */
export async function startDatabaseSubgraph<TContext extends RequestContext>(
  options: DatabaseSubgraphOptions<TContext>,
): Promise<SubgraphServer> {
  const { env, name } = options;
  const logger = options.logger ?? createLogger({ name, level: env.LOG_LEVEL });
  const redis = await connectRedis(env.REDIS_URL);
  const orm = await openDatabase({
    clientUrl: env.DATABASE_URL,
    schema: env.DATABASE_SCHEMA,
    entities: options.entities,
    migrationsPath: new URL('migrations', options.root).pathname,
    poolMax: env.DATABASE_POOL_MAX,
    acquireTimeoutMs: env.DATABASE_POOL_ACQUIRE_TIMEOUT_MS,
    onQuery: options.onQuery,
  }).catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });
  let background: { stop: () => Promise<void> } | undefined;
  try {
    if (env.SEED_ON_START && options.seed) {
      const inserted = await options.seed(orm);
      logger.info({ inserted }, `${name} seed data loaded`);
    }
    const metrics = createMetrics(name);
    background = options.background?.(orm, { name, logger, metrics });
    return await startSubgraphServer({
      metrics,
      name,
      typeDefs: loadTypeDefs(new URL('schema.graphql', options.root)),
      resolvers: options.resolvers,
      host: env.HOST,
      port: env.PORT,
      logger,
      internalSecret: env.INTERNAL_SECRET,
      // Shared by the replicas through Redis, so a request replayed to another one is refused too.
      nonces: createFallbackNonceStore({
        primary: createRedisNonceStore(redis),
        fallback: createInMemoryNonceStore(),
        logger,
      }),
      production: env.NODE_ENV === 'production',
      readiness: { postgres: postgresCheck(orm), redis: redisCheck(redis) },
      createContext: options.createContext(orm),
      routes: options.routes,
      closers: [
        ...(background ? [background.stop] : []),
        ...(options.closers ?? []),
        () => orm.close(),
        () => redis.quit(),
      ],
    });
  } catch (error) {
    await background?.stop();
    await orm.close();
    redis.disconnect();
    throw error;
  }
}
