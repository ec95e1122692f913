import type { EntityManager } from '@mikro-orm/postgresql';
import { fakeReference } from './fake-payment-provider.ts';
import { Payment } from './payment.entity.ts';

/** Fixed ids: the demo order (orders' seed) and its customer (users' seed) are copied, not imported. */
export const SEED_PAYMENT_IDS = { pastOrderPayment: '00000000-0000-4000-8005-000000000001' } as const;
export const SEED_ORDER_ID = '00000000-0000-4000-8004-000000000001';
export const SEED_CUSTOMER_ID = '00000000-0000-4000-8000-000000000002';

/** The seeded past order's payment: its total (2 x 14.90 + 11.90 EUR), authorized 5 s after it was placed. */
export const SEED_PAYMENTS = [
  {
    id: SEED_PAYMENT_IDS.pastOrderPayment,
    orderId: SEED_ORDER_ID,
    userId: SEED_CUSTOMER_ID,
    amount: { amount: 4170, currency: 'EUR' },
    status: 'AUTHORIZED',
    declineReason: null,
    providerReference: fakeReference(SEED_ORDER_ID),
    createdAt: new Date('2026-11-01T10:00:05Z'),
    updatedAt: new Date('2026-11-01T10:00:05Z'),
  },
] as const;

/**
 * Inserts the demo payments that are missing and returns how many it inserted. It only ever inserts,
 * in one `insert ... on conflict do nothing`: replicas seeding at once cannot collide, and a payment
 * that changed since (refunded) stays as it is.
 */
export async function seedPayments(em: EntityManager): Promise<number> {
  const rows = SEED_PAYMENTS.map((payment) => ({ ...payment, amount: { ...payment.amount } }));
  const result = await em.createQueryBuilder(Payment).insert(rows).onConflict().ignore().execute('run');
  return result.affectedRows;
}
