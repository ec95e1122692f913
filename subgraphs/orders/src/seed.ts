import type { EntityManager } from '@mikro-orm/postgresql';
import { Order, OrderItem } from './order.entity.ts';

// Copied from the users and products seeds rather than imported: each subgraph ships alone.
const CUSTOMER_ID = '00000000-0000-4000-8000-000000000002';
const STONEWARE_MUG = '00000000-0000-4000-8002-000000000001';
const ETHIOPIA_BEANS = '00000000-0000-4000-8002-000000000005';

/** Fixed ids: payments and notifications seed the same past order's payment and email. */
export const SEED_ORDER_IDS = {
  pastOrder: '00000000-0000-4000-8004-000000000001',
} as const;

const PLACED_AT = new Date('2026-11-01T10:00:00.000Z');

/** The demo customer's past order: 2 mugs at 14.90 and a bag of beans at 11.90, confirmed and paid. */
export const SEED_ORDER = {
  id: SEED_ORDER_IDS.pastOrder,
  userId: CUSTOMER_ID,
  status: 'CONFIRMED',
  cancellationReason: null,
  total: { amount: 4170, currency: 'EUR' },
  idempotencyKey: null,
  requestFingerprint: null,
  createdAt: PLACED_AT,
  updatedAt: PLACED_AT,
} as const;

export const SEED_ORDER_ITEMS = [
  { position: 0, productId: STONEWARE_MUG, quantity: 2, unitPrice: { amount: 1490, currency: 'EUR' } },
  { position: 1, productId: ETHIOPIA_BEANS, quantity: 1, unitPrice: { amount: 1190, currency: 'EUR' } },
] as const;

/**
 * Inserts the demo order where it is missing and returns how many rows it inserted. It only ever
 * inserts (`on conflict do nothing`): a seed on every start must not undo what happened to the order
 * since (a customer cancelling it), and replicas seeding at once cannot collide.
 */
export async function seedOrders(em: EntityManager): Promise<number> {
  return em.transactional(async (tx) => {
    const orders = await tx
      .createQueryBuilder(Order)
      .insert({ ...SEED_ORDER, total: { ...SEED_ORDER.total } })
      .onConflict()
      .ignore()
      .execute('run');
    const items = await tx
      .createQueryBuilder(OrderItem)
      .insert(
        SEED_ORDER_ITEMS.map((item) => ({ ...item, unitPrice: { ...item.unitPrice }, order: SEED_ORDER.id })),
      )
      .onConflict()
      .ignore()
      .execute('run');
    return orders.affectedRows + items.affectedRows;
  });
}
