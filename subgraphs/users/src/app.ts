import { openDatabase, postgresCheck } from '@supergraph/db';
import { createLogger } from '@supergraph/logging';
import {
  connectRedis,
  loadTypeDefs,
  redisCheck,
  startSubgraphServer,
  type SubgraphServer,
} from '@supergraph/server-kit';
import { contextFactory } from './context.ts';
import { entities } from './entities.ts';
import type { Env } from './env.ts';
import { resolvers } from './resolvers.ts';
import { seedUsers } from './seed.ts';
import { createTokenIssuer } from './tokens.ts';

/** The users subgraph's composition root: every dependency is built here and nowhere else. */
export async function startUsersSubgraph(
  env: Env,
  hooks: { onQuery?: (sql: string) => void } = {},
): Promise<SubgraphServer> {
  const logger = createLogger({ name: 'users', level: env.LOG_LEVEL });
  const tokens = await createTokenIssuer({
    privateKeyPem: env.JWT_PRIVATE_KEY,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    ttlSeconds: env.JWT_TTL_SECONDS,
  });
  // Redis first: it is the cheaper check, and a failure leaves no migrated schema behind.
  const redis = await connectRedis(env.REDIS_URL);
  const orm = await openDatabase({
    clientUrl: env.DATABASE_URL,
    schema: env.DATABASE_SCHEMA,
    entities,
    migrationsPath: new URL('../migrations', import.meta.url).pathname,
    onQuery: hooks.onQuery,
  }).catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });
  try {
    if (env.SEED_ON_START) {
      const created = await seedUsers(orm.em.fork());
      logger.info({ created }, 'seed users loaded');
    }
    const jwks = JSON.stringify(tokens.jwks);
    return await startSubgraphServer({
      name: 'users',
      typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
      resolvers,
      host: env.HOST,
      port: env.PORT,
      logger,
      internalSecret: env.INTERNAL_SECRET,
      production: env.NODE_ENV === 'production',
      readiness: { postgres: postgresCheck(orm), redis: redisCheck(redis) },
      createContext: contextFactory(orm, tokens),
      routes: {
        // Public by design: the router (and anyone) verifies tokens with it.
        '/.well-known/jwks.json': (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
          res.end(jwks);
        },
      },
      closers: [() => orm.close(), () => redis.quit()],
    });
  } catch (error) {
    await orm.close();
    redis.disconnect();
    throw error;
  }
}
