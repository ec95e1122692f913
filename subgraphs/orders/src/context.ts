import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from '@supergraph/db';
import type { RequestContext } from '@supergraph/server-kit';
import { createLoaders, type Loaders } from './loaders.ts';
import { createOrderService, type OrderService } from './order.service.ts';
import type { ProductCatalog } from './product-catalog.ts';

export interface Context extends RequestContext {
  em: EntityManager;
  loaders: Loaders;
  orders: OrderService;
}

/** Each request gets its own EntityManager fork and its own DataLoaders: nothing leaks between callers. */
export function contextFactory(orm: Database, catalog: ProductCatalog) {
  return (base: RequestContext): Context => {
    const em = orm.em.fork();
    const loaders = createLoaders(em);
    return { ...base, em, loaders, orders: createOrderService(em, catalog, loaders) };
  };
}
