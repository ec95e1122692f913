import type { EntityManager } from '@mikro-orm/postgresql';
import { keyedLoader, placeholders, tableOf } from '@supergraph/db';
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
  // A plain statement rather than the query builder: building it cost more CPU than running it.
  const byProductId = keyedLoader(
    async (ids: readonly string[]): Promise<Availability[]> => {
      const rows = await em.execute<Array<{ product_id: string; available: number }>>(
        `select product_id, available from ${tableOf(em, StockLevel)} where product_id in (${placeholders(ids)})`,
        [...ids],
      );
      return rows.map((row) => ({ productId: row.product_id, available: row.available }));
    },
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
