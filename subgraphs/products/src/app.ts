import { startDatabaseSubgraph, type SubgraphServer } from '@supergraph/server-kit';
import { contextFactory } from './context.ts';
import { entities } from './entities.ts';
import type { Env } from './env.ts';
import { resolvers } from './resolvers.ts';
import { seedProducts } from './seed.ts';

/** The products subgraph's composition root: every dependency is built here and nowhere else. */
export function startProductsSubgraph(
  env: Env,
  hooks: { onQuery?: (sql: string) => void } = {},
): Promise<SubgraphServer> {
  return startDatabaseSubgraph({
    name: 'products',
    env,
    root: new URL('..', import.meta.url),
    entities,
    resolvers,
    createContext: contextFactory,
    seed: (orm) => seedProducts(orm.em.fork()),
    onQuery: hooks.onQuery,
  });
}
