import type { EntityManager } from '@mikro-orm/postgresql';
import { keyedLoader } from '@supergraph/db';
import { isUuid } from '@supergraph/db';
import type { ProductRecord } from './product.entity.ts';
import { readProducts } from './product-rows.ts';

export type Loaders = ReturnType<typeof createLoaders>;

/**
 * Per-request batching of product lookups by either key: the router asks for up to hundreds of Product
 * references at once (an order's items, a page of another subgraph), and each key costs one statement
 * for the whole batch. A malformed id can match nothing, so it never reaches Postgres (which would
 * reject the whole batch's uuid cast).
 */
export function createLoaders(em: EntityManager) {
  const byId = keyedLoader(
    (ids: readonly string[]) => readProducts(em, 'id', ids),
    (product) => product.id,
  );
  const bySku = keyedLoader(
    (skus: readonly string[]) => readProducts(em, 'sku', skus),
    (product) => product.sku,
  );
  return {
    productById: (id: string): Promise<ProductRecord | null> =>
      isUuid(id) ? byId.load(id.toLowerCase()) : Promise.resolve(null),
    productBySku: (sku: string): Promise<ProductRecord | null> => bySku.load(sku),
    /**
     * A write changed this product: later reads of the request (a batch's next operation) get it as
     * written. The loaders hold detached rows, so nothing else would tell them.
     */
    written: (product: ProductRecord): void => {
      byId.clearAll().prime(product.id, product);
      bySku.clearAll().prime(product.sku, product);
    },
  };
}
