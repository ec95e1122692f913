import type { EntityManager } from '@mikro-orm/postgresql';
import { keyedLoader } from '@supergraph/db';
import { isUuid } from '@supergraph/db';
import type { PaymentRecord } from './payment.entity.ts';
import { readPayments } from './payment-rows.ts';

export type Loaders = ReturnType<typeof createLoaders>;

/**
 * Per-request batching: the router resolves a page of orders' payments, or a batch of Payment
 * references, one by one; each key costs one statement for the whole batch. A malformed id matches
 * nothing and never reaches Postgres.
 */
export function createLoaders(em: EntityManager) {
  const byId = keyedLoader(
    (ids: readonly string[]) => readPayments(em, 'id', ids),
    (payment) => payment.id,
  );
  const byOrderId = keyedLoader(
    (orderIds: readonly string[]) => readPayments(em, 'order_id', orderIds),
    (payment) => payment.orderId,
  );
  return {
    paymentById: (id: string): Promise<PaymentRecord | null> =>
      isUuid(id) ? byId.load(id.toLowerCase()) : Promise.resolve(null),
    paymentByOrderId: (orderId: string): Promise<PaymentRecord | null> =>
      isUuid(orderId) ? byOrderId.load(orderId.toLowerCase()) : Promise.resolve(null),
  };
}
