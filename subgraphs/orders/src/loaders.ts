import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { keyedLoader } from '@supergraph/db';
import { fetchOrderPages, pageKeyId, toPage, type OrderPage, type OrderPageKey } from './order-page.ts';
import { countOrders, readLines, type OrderLine } from './order-rows.ts';
import { Order } from './order.entity.ts';

export type Loaders = ReturnType<typeof createLoaders>;

/**
 * Per-request batching: the router resolves a page of orders for many User references, then the items
 * of every order on those pages, one field at a time. Each loader turns all of them into one statement.
 * Callers pass well-formed (uuid) keys only: a malformed one would fail the whole batch's uuid cast.
 */
export function createLoaders(em: EntityManager) {
  // Entities, not plain rows: cancelOrder transitions and refreshes the order this loads.
  const orderById = keyedLoader(
    (ids: readonly string[]) => em.find(Order, { id: { $in: [...ids] } }),
    (order) => order.id,
  );

  const itemsByOrderId = new DataLoader<string, OrderLine[]>(async (orderIds) => {
    const lines = await readLines(em, orderIds);
    return orderIds.map((id) => lines.get(id) ?? []);
  });

  const orderCountByUserId = new DataLoader<string, number>(async (userIds) => {
    const counts = await countOrders(em, userIds);
    return userIds.map((id) => counts.get(id) ?? 0);
  });

  const orderPage = new DataLoader<OrderPageKey, OrderPage, string>(
    async (keys) => {
      const pages = await fetchOrderPages(em, keys);
      return keys.map((key, index) =>
        toPage(key, pages[index] ?? [], () => orderCountByUserId.load(key.userId)),
      );
    },
    { cacheKeyFn: pageKeyId },
  );

  return {
    orderById,
    itemsByOrderId,
    orderPage,
    orderCountByUserId,
  };
}
