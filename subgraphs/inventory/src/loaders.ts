import type { EntityManager } from '@mikro-orm/postgresql';
import { keyedLoader } from '@supergraph/db';
import { isUuid } from '@supergraph/db';
import { StockLevel } from './stock-level.entity.ts';

export type Loaders = ReturnType<typeof createLoaders>;

interface Availability {
  productId: string;
  available: number;
}

/**
 * Per-request batching of stock lookups: the router asks for `stock`/`inStock` of a whole page of
 * products at once, and the batch costs one statement. A product never stocked has no row and 0 units;
 * a malformed id can match nothing, so it never reaches Postgres (which would reject the whole batch's
 * uuid cast).
 */
export function createLoaders(em: EntityManager) {
  const byProductId = keyedLoader(
    (ids: readonly string[]): Promise<Availability[]> =>
      em
        .createQueryBuilder(StockLevel)
        .select(['productId', 'available'])
        .where({ productId: { $in: [...ids] } })
        .execute('all'),
    (row) => row.productId,
  );
  return {
    availableUnits: async (productId: string): Promise<number> =>
      isUuid(productId) ? ((await byProductId.load(productId.toLowerCase()))?.available ?? 0) : 0,
    /** A write that returned the new counters answers later reads of this request without a query. */
    prime: (row: Availability): void => {
      byProductId.clear(row.productId).prime(row.productId, row);
    },
  };
}
