import { outboxRelayFor } from '@supergraph/events';
import { startDatabaseSubgraph, type SubgraphServer } from '@supergraph/server-kit';
import { contextFactory } from './context.ts';
import { entities } from './entities.ts';
import type { Env } from './env.ts';
import { resolvers } from './resolvers.ts';
import { seedStock } from './seed.ts';

/** The inventory subgraph's composition root: every dependency is built here and nowhere else. */
export function startInventorySubgraph(
  env: Env,
  hooks: { onQuery?: (sql: string) => void } = {},
): Promise<SubgraphServer> {
  return startDatabaseSubgraph({
    name: 'inventory',
    env,
    root: new URL('..', import.meta.url),
    entities,
    resolvers,
    createContext: contextFactory,
    seed: (orm) => seedStock(orm.em.fork()),
    onQuery: hooks.onQuery,
    // The worker writes reservation outcomes to this schema's outbox; the API process publishes them.
    background: outboxRelayFor(env),
  });
}
