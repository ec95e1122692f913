import { outboxRelayFor } from '@supergraph/events';
import { startDatabaseSubgraph, type SubgraphServer } from '@supergraph/server-kit';
import { contextFactory } from './context.ts';
import { entities } from './entities.ts';
import type { Env } from './env.ts';
import { createHashingQueue } from './hashing-queue.ts';
import { createPasswordHasher } from './password-hasher.ts';
import { resolvers } from './resolvers.ts';
import { seedUsers } from './seed.ts';
import { createTokenIssuer } from './tokens.ts';

/** The users subgraph's composition root: every dependency is built here and nowhere else. */
export async function startUsersSubgraph(
  env: Env,
  hooks: { onQuery?: (sql: string) => void } = {},
): Promise<SubgraphServer> {
  const tokens = await createTokenIssuer({
    privateKeyPem: env.JWT_PRIVATE_KEY,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    ttlSeconds: env.JWT_TTL_SECONDS,
  });
  const passwords = createPasswordHasher(
    createHashingQueue({
      concurrency: env.PASSWORD_HASH_CONCURRENCY,
      maxWaitMs: env.PASSWORD_HASH_MAX_WAIT_MS,
    }),
  );
  const jwks = JSON.stringify(tokens.jwks);
  return startDatabaseSubgraph({
    name: 'users',
    env,
    root: new URL('..', import.meta.url),
    entities,
    resolvers,
    createContext: (orm) => contextFactory(orm, tokens, passwords),
    seed: (orm) => seedUsers(orm.em.fork()),
    // Publishes UserRegistered from this schema's outbox; users consumes nothing, so it has no worker.
    background: outboxRelayFor(env),
    routes: {
      // Public by design: the router (and anyone) verifies tokens with it.
      '/.well-known/jwks.json': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
        res.end(jwks);
      },
    },
    onQuery: hooks.onQuery,
  });
}
