import type { EntityManager } from '@mikro-orm/postgresql';
import { badUserInput } from '@supergraph/errors';
import { isUuid } from '@supergraph/db';
import { recordEvent } from '@supergraph/events';
import { CancelledOrder } from './cancelled-order.entity.ts';
import type { ProviderCalls } from './guarded-payment-provider.ts';
import { isAmount, isCurrency, type MoneyValue } from './money.ts';
import { Payment, type PaymentRecord } from './payment.entity.ts';

export interface AuthorizeCommand {
  orderId: string;
  /** The order's customer, who alone (with admins) may see the payment. */
  userId: string;
  /** The order's total. */
  amount: MoneyValue;
}

/** The trace of the event that asked for the change, carried on into the events it causes. */
export interface EventOptions {
  traceparent?: string;
}

/**
 * What `authorize` did: `created` the order's payment (and recorded its event), found the one it
 * already had (`existing`: the first answer stands), or nothing because the order was `cancelled`.
 */
export type AuthorizeOutcome =
  { outcome: 'created' | 'existing'; payment: PaymentRecord } | { outcome: 'cancelled'; payment: null };

/** What `refund` did: `refunded` is true only for the call that gave the money back. */
export interface RefundOutcome {
  refunded: boolean;
  /** The order's payment, if it has one, as it is now. */
  payment: PaymentRecord | null;
}

export type PaymentService = ReturnType<typeof createPaymentService>;

type Problem = { field: string; message: string };

function validate(command: AuthorizeCommand): AuthorizeCommand {
  const problems: Problem[] = [];
  for (const field of ['orderId', 'userId'] as const) {
    if (typeof command[field] !== 'string' || !isUuid(command[field])) {
      problems.push({ field, message: `${field} must be a UUID; got ${JSON.stringify(command[field])}` });
    }
  }
  const amount = (command.amount ?? {}) as Partial<MoneyValue>;
  if (!isAmount(amount.amount)) {
    problems.push({
      field: 'amount.amount',
      message: `amount.amount must be an integer of 0 or more, in minor units (1999 is 19.99); got ${JSON.stringify(amount.amount)}`,
    });
  }
  if (!isCurrency(amount.currency)) {
    problems.push({
      field: 'amount.currency',
      message: `amount.currency must be an ISO 4217 currency code of 3 upper-case letters, e.g. EUR; got ${JSON.stringify(amount.currency)}`,
    });
  }
  if (problems.length > 0) {
    throw badUserInput(problems.map((problem) => problem.message).join('; '), {
      fields: problems.map((problem) => problem.field),
    });
  }
  return {
    orderId: command.orderId.toLowerCase(),
    userId: command.userId.toLowerCase(),
    amount: { amount: command.amount.amount, currency: command.amount.currency },
  };
}

function validOrderId(orderId: string): string {
  if (typeof orderId !== 'string' || !isUuid(orderId)) {
    throw badUserInput(`orderId must be a UUID; got ${JSON.stringify(orderId)}`, { fields: ['orderId'] });
  }
  return orderId.toLowerCase();
}

/** Runs in the caller's transaction (a worker's job) or, outside one, in a transaction of its own. */
function inTransaction<T>(em: EntityManager, work: (em: EntityManager) => Promise<T>): Promise<T> {
  return em.isInTransaction() ? work(em) : em.transactional((tx) => work(tx as EntityManager));
}

/**
 * Serializes everything payments does to one order (authorize, refund, cancel) until the transaction
 * ends: the row may not exist yet when a cancellation races an authorization, so there is no row to
 * lock. The key is qualified by the schema, so other domains (and test schemas) sharing the database
 * never wait on payments' locks.
 */
async function lockOrder(em: EntityManager, orderId: string): Promise<void> {
  const schema = em.config.get('schema') ?? 'public';
  await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`${schema}:order:${orderId}`]);
}

/**
 * Payments' rules: each order is authorized (or declined) at most once, never after it was cancelled,
 * and an authorized payment is refunded at most once. No GraphQL here. Every change happens under the
 * order's lock in one transaction with the event it announces; a provider failure (SERVICE_UNAVAILABLE
 * from the breaker) rolls it all back, so a retry starts afresh.
 */
export function createPaymentService(em: EntityManager, provider: ProviderCalls) {
  async function refundLocked(tx: EntityManager, orderId: string): Promise<RefundOutcome> {
    const payment = await tx.findOne(Payment, { orderId });
    if (!payment || payment.status !== 'AUTHORIZED') return { refunded: false, payment };
    // The table's check constraint gives every authorized payment its provider reference.
    const reference = payment.providerReference;
    if (!reference) throw new Error(`authorized payment ${payment.id} has no provider reference`);
    await provider.refund({
      orderId,
      reference,
      amount: { amount: payment.amount.amount, currency: payment.amount.currency },
    });
    payment.status = 'REFUNDED';
    return { refunded: true, payment };
  }

  return {
    /**
     * Authorizes an order's total at the provider and records the answer with its event
     * (PaymentAuthorized or PaymentDeclined), once per order. An order that already has a payment gets
     * that payment back without a call to the provider or a second event: the saga's event may be
     * delivered again, and the first answer stands. A cancelled order is left alone. Calls racing for
     * one order wait for each other, so the provider is asked once.
     */
    async authorize(command: AuthorizeCommand, options: EventOptions = {}): Promise<AuthorizeOutcome> {
      const { orderId, userId, amount } = validate(command);
      return inTransaction(em, async (tx) => {
        await lockOrder(tx, orderId);
        if ((await tx.count(CancelledOrder, { orderId })) > 0) return { outcome: 'cancelled', payment: null };
        const existing = await tx.findOne(Payment, { orderId });
        if (existing) return { outcome: 'existing', payment: existing };

        const result = await provider.authorize({ orderId, amount });
        const now = new Date();
        const payment = tx.create(Payment, {
          id: crypto.randomUUID(),
          orderId,
          userId,
          amount,
          status: result.outcome,
          declineReason: result.outcome === 'DECLINED' ? result.reason : null,
          providerReference: result.outcome === 'AUTHORIZED' ? result.reference : null,
          createdAt: now,
          updatedAt: now,
        });
        if (result.outcome === 'AUTHORIZED') {
          await recordEvent(
            tx,
            'PaymentAuthorized',
            { orderId, userId, paymentId: payment.id, amount },
            options,
          );
        } else {
          await recordEvent(
            tx,
            'PaymentDeclined',
            { orderId, userId, paymentId: payment.id, reason: result.reason },
            options,
          );
        }
        return { outcome: 'created', payment };
      });
    },

    /**
     * Gives an authorized payment's money back (AUTHORIZED -> REFUNDED), once: a second call, or one
     * that waited for the first, finds it REFUNDED and does nothing. A declined payment or none at all
     * has nothing to give back.
     */
    async refund(orderId: string): Promise<RefundOutcome> {
      const id = validOrderId(orderId);
      return inTransaction(em, async (tx) => {
        await lockOrder(tx, id);
        return refundLocked(tx, id);
      });
    },

    /**
     * The order was cancelled: remember it, so an authorization that arrives later holds nothing, and
     * refund the payment if it was authorized already.
     */
    async cancelOrder(orderId: string): Promise<RefundOutcome> {
      const id = validOrderId(orderId);
      return inTransaction(em, async (tx) => {
        await lockOrder(tx, id);
        await tx
          .createQueryBuilder(CancelledOrder)
          .insert({ orderId: id, cancelledAt: new Date() })
          .onConflict('orderId')
          .ignore()
          .execute('run');
        return refundLocked(tx, id);
      });
    },
  };
}
