import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from '@supergraph/db';
import type { RequestContext } from '@supergraph/server-kit';
import { createLoaders, type Loaders } from './loaders.ts';
import { createStockService, type StockService } from './stock.service.ts';

export interface Context extends RequestContext {
  em: EntityManager;
  loaders: Loaders;
  stock: StockService;
}

/** Each request gets its own EntityManager fork and its own DataLoaders: nothing leaks between callers. */
export function contextFactory(orm: Database) {
  return (base: RequestContext): Context => {
    const em = orm.em.fork();
    return { ...base, em, loaders: createLoaders(em), stock: createStockService(em) };
  };
}
