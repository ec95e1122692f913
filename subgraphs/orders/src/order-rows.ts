import type { EntityManager } from '@mikro-orm/postgresql';
import { placeholders, tableOf, type TimestampParser } from '@supergraph/db';
import {
  Order,
  OrderItem,
  type OrderItemRecord,
  type OrderRecord,
  type OrderStatus,
} from './order.entity.ts';

/**
 * The order history's read paths (a customer's pages, their items, the count) read plain rows, not
 * entities: they only hand what they read to GraphQL, and hydrating a page of orders and their items
 * into the request's identity map cost more CPU than the statements themselves (issue 15,
 * docs/benchmarks.md). What they return is detached; writes and the cancel path load entities.
 */
export interface OrderRow {
  id: string;
  user_id: string;
  status: OrderStatus;
  cancellation_reason: string | null;
  total_amount: number;
  total_currency: string;
  idempotency_key: string | null;
  request_fingerprint: string | null;
  created_at: string;
  updated_at: string;
}

export function orderFromRow(row: OrderRow, timestamp: TimestampParser): OrderRecord {
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    cancellationReason: row.cancellation_reason,
    total: { amount: row.total_amount, currency: row.total_currency },
    idempotencyKey: row.idempotency_key,
    requestFingerprint: row.request_fingerprint,
    createdAt: timestamp(row.created_at),
    updatedAt: timestamp(row.updated_at),
  };
}

/** A line of an order as GraphQL's OrderItem reads it: an item without its order. */
export type OrderLine = Omit<OrderItemRecord, 'order'>;

interface OrderItemRow {
  order_id: string;
  position: number;
  product_id: string;
  quantity: number;
  unit_price_amount: number;
  unit_price_currency: string;
}

/** The lines of each order, in the order the customer listed them; one statement for all orders. */
export async function readLines(
  em: EntityManager,
  orderIds: readonly string[],
): Promise<Map<string, OrderLine[]>> {
  const rows = await em.execute<OrderItemRow[]>(
    `select * from ${tableOf(em, OrderItem)} where order_id in (${placeholders(orderIds)})
      order by order_id asc, position asc`,
    [...orderIds],
  );
  const lines = new Map<string, OrderLine[]>(orderIds.map((id) => [id, []]));
  for (const row of rows) {
    lines.get(row.order_id)?.push({
      position: row.position,
      productId: row.product_id,
      quantity: row.quantity,
      unitPrice: { amount: row.unit_price_amount, currency: row.unit_price_currency },
    });
  }
  return lines;
}

/** How many orders each user has; one statement for all users. */
export async function countOrders(
  em: EntityManager,
  userIds: readonly string[],
): Promise<Map<string, number>> {
  const rows = await em.execute<Array<{ user_id: string; total: number }>>(
    `select user_id, count(*)::int as total from ${tableOf(em, Order)}
      where user_id in (${placeholders(userIds)}) group by user_id`,
    [...userIds],
  );
  return new Map(rows.map((row) => [row.user_id, row.total]));
}
