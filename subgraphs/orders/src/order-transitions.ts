import { TransactionPropagation, type EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '@supergraph/db';
import { badUserInput, notFound } from '@supergraph/errors';
import { recordEvent } from '@supergraph/events';
import { Order, type OrderRecord, type OrderStatus } from './order.entity.ts';

export const CANCELLABLE: readonly OrderStatus[] = ['PENDING', 'CONFIRMED'];
/** The `cancellation_reason` column's length. */
export const REASON_MAX = 500;

export type OrderTransitions = ReturnType<typeof createOrderTransitions>;

type Change = { to: 'CONFIRMED' } | { to: 'CANCELLED'; reason: string };

/**
 * What happens to an order after it is placed: it is confirmed or cancelled, and each change writes the
 * event that announces it (OrderConfirmed, OrderCancelled) in the same transaction. A transition joins
 * the transaction `em` is already in (a saga handler's, which also records the handled event as
 * processed) or opens one. It knows no caller: checking who may cancel is the caller's job.
 */
export function createOrderTransitions(em: EntityManager) {
  /**
   * One conditional UPDATE: the status it moves from is checked by Postgres as it writes, so a customer
   * cancelling while the saga confirms cannot both win, and only the call that made the change announces
   * it. Returns whether this call made the change.
   */
  async function transition(orderId: string, from: readonly OrderStatus[], change: Change): Promise<boolean> {
    if (!isUuid(orderId)) throw notFound(`no order has the id ${orderId}`);
    return em.transactional(
      async (tx) => {
        const order = await tx.findOne(Order, { id: orderId.toLowerCase() });
        if (!order) throw notFound(`no order has the id ${orderId}`);
        const changed = await tx.nativeUpdate(
          Order,
          { id: order.id, status: { $in: [...from] } },
          {
            status: change.to,
            cancellationReason: change.to === 'CANCELLED' ? change.reason : null,
            updatedAt: new Date(),
          },
        );
        if (changed === 0) return false;
        await announce(tx, order, change);
        return true;
      },
      { propagation: TransactionPropagation.REQUIRED },
    );
  }

  return {
    /** Payment authorized: PENDING becomes CONFIRMED. A cancelled order stays cancelled. */
    async confirm(orderId: string): Promise<boolean> {
      return transition(orderId, ['PENDING'], { to: 'CONFIRMED' });
    },

    /** A PENDING or CONFIRMED order becomes CANCELLED with the reason; a cancelled one keeps its first. */
    async cancel(orderId: string, reason: string): Promise<boolean> {
      if (reason.trim().length === 0 || reason.length > REASON_MAX) {
        throw badUserInput(`reason must be 1 to ${REASON_MAX} characters`, { fields: ['reason'] });
      }
      return transition(orderId, CANCELLABLE, { to: 'CANCELLED', reason });
    },
  };
}

/** Records the event of a change this transaction just made. */
async function announce(tx: EntityManager, order: OrderRecord, change: Change): Promise<void> {
  const common = {
    orderId: order.id,
    userId: order.userId,
    total: { amount: order.total.amount, currency: order.total.currency },
  };
  if (change.to === 'CONFIRMED') await recordEvent(tx, 'OrderConfirmed', common);
  else await recordEvent(tx, 'OrderCancelled', { ...common, reason: change.reason });
}
