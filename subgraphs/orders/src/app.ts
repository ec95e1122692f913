import { outboxRelayFor } from '@supergraph/events';
import { createLogger } from '@supergraph/logging';
import { breakerOptions, createBreaker } from '@supergraph/resilience';
import { startDatabaseSubgraph, type SubgraphServer } from '@supergraph/server-kit';
import { contextFactory } from './context.ts';
import { entities } from './entities.ts';
import type { Env } from './env.ts';
import type { ProductCatalog } from './product-catalog.ts';
import { productsSubgraphCatalog, requestPrices } from './products-subgraph-catalog.ts';
import { resolvers } from './resolvers.ts';
import { seedOrders } from './seed.ts';

/**
 * The orders subgraph's composition root: every dependency is built here and nowhere else. A test may
 * hand in its own catalog; otherwise prices come from the products subgraph behind one breaker.
 */
export async function startOrdersSubgraph(
  env: Env,
  hooks: { onQuery?: (sql: string) => void } = {},
  overrides: { catalog?: ProductCatalog } = {},
): Promise<SubgraphServer> {
  const logger = createLogger({ name: 'orders', level: env.LOG_LEVEL });
  const closers: Array<() => Promise<unknown>> = [];
  let catalog = overrides.catalog;
  if (!catalog) {
    const breaker = createBreaker(
      'products',
      requestPrices(env.PRODUCTS_URL, env.INTERNAL_SECRET),
      breakerOptions(env, 'PRODUCTS'),
      logger,
    );
    closers.push(async () => breaker.shutdown());
    catalog = productsSubgraphCatalog(breaker);
  }
  return startDatabaseSubgraph({
    name: 'orders',
    env,
    root: new URL('..', import.meta.url),
    entities,
    resolvers,
    createContext: (orm) => contextFactory(orm, catalog),
    seed: (orm) => seedOrders(orm.em.fork()),
    onQuery: hooks.onQuery,
    logger,
    closers,
    // Publishes the schema's whole outbox: what requests write here (OrderPlaced, a customer's
    // OrderCancelled) and what the worker's handlers write (OrderConfirmed, the saga's OrderCancelled).
    background: outboxRelayFor(env),
  });
}
