import type { EntityManager } from '@mikro-orm/postgresql';
import { placeholders, tableOf, timestampParser } from '@supergraph/db';
import { Payment, type PaymentRecord, type PaymentStatus } from './payment.entity.ts';

/**
 * The read paths (`payment(id)`, Payment references, `Order.payment`) read plain rows, not entities: they
 * only hand what they read to GraphQL, and hydrating a page's payments into the request's identity map
 * cost more CPU than the statement itself (issue 15, docs/benchmarks.md). What they return is detached;
 * the saga's writes (payment.service.ts) load their own entities.
 */
interface PaymentRow {
  id: string;
  order_id: string;
  user_id: string;
  amount_amount: number;
  amount_currency: string;
  status: PaymentStatus;
  decline_reason: string | null;
  provider_reference: string | null;
  created_at: string;
  updated_at: string;
}

/** Payments whose id (or order id) is one of `keys`, in no particular order: one statement for the batch. */
export async function readPayments(
  em: EntityManager,
  key: 'id' | 'order_id',
  keys: readonly string[],
): Promise<PaymentRecord[]> {
  const rows = await em.execute<PaymentRow[]>(
    `select * from ${tableOf(em, Payment)} where ${key} in (${placeholders(keys)})`,
    [...keys],
  );
  const timestamp = timestampParser(em);
  return rows.map((row) => ({
    id: row.id,
    orderId: row.order_id,
    userId: row.user_id,
    amount: { amount: row.amount_amount, currency: row.amount_currency },
    status: row.status,
    declineReason: row.decline_reason,
    providerReference: row.provider_reference,
    createdAt: timestamp(row.created_at),
    updatedAt: timestamp(row.updated_at),
  }));
}
