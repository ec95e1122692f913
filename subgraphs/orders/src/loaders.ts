import DataLoader from 'dataloader';
import { raw, type EntityManager } from '@mikro-orm/postgresql';
import { keyedLoader } from '@supergraph/db';
import { fetchOrderPages, pageKeyId, toPage, type OrderPage, type OrderPageKey } from './order-page.ts';
import { Order, OrderItem, type OrderItemRecord } from './order.entity.ts';

export type Loaders = ReturnType<typeof createLoaders>;

/**
 * Per-request batching: the router resolves a page of orders for many User references, then the items
 * of every order on those pages, one field at a time. Each loader turns all of them into one statement.
 * Callers pass well-formed (uuid) keys only: a malformed one would fail the whole batch's uuid cast.
 */
export function createLoaders(em: EntityManager) {
  const orderById = keyedLoader(
    (ids: readonly string[]) => em.find(Order, { id: { $in: [...ids] } }),
    (order) => order.id,
  );

  const itemsByOrderId = new DataLoader<string, OrderItemRecord[]>(async (orderIds) => {
    const items = await em.find(
      OrderItem,
      { order: { $in: [...orderIds] } },
      { orderBy: { order: 'asc', position: 'asc' } },
    );
    const byOrder = new Map<string, OrderItemRecord[]>(orderIds.map((id) => [id, []]));
    for (const item of items) byOrder.get(item.order.id)?.push(item);
    return orderIds.map((id) => byOrder.get(id) ?? []);
  });

  const orderCountByUserId = new DataLoader<string, number>(async (userIds) => {
    const rows = await em
      .createQueryBuilder(Order)
      .select(['userId'])
      .addSelect(raw('count(*)::int as total'))
      .where({ userId: { $in: [...userIds] } })
      .groupBy('userId')
      .execute<Array<{ userId: string; total: number }>>('all');
    const counts = new Map(rows.map((row) => [row.userId, row.total]));
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
