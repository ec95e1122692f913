import type { EventHandlers } from '@supergraph/events';
import type { Logger } from '@supergraph/logging';
import { createOrderTransitions, REASON_MAX } from './order-transitions.ts';

export interface EventHandlerDeps {
  logger: Logger;
}

/** `prefix: detail`, cut to what the reason column holds: a long reason must not fail the handler. */
function reason(prefix: string, detail: string): string {
  const text = `${prefix}: ${detail}`;
  return text.length <= REASON_MAX ? text : `${text.slice(0, REASON_MAX - 1)}…`;
}

/**
 * Orders' part of the checkout saga. Each handler changes the order through its transitions on the
 * handler's EntityManager, so the change, its OrderConfirmed or OrderCancelled event and the record of
 * the handled event commit together. An event for an order that does not exist throws (NOT_FOUND): it is
 * retried, then kept as a dead letter, rather than silently dropped.
 */
export function createEventHandlers({ logger }: EventHandlerDeps): EventHandlers {
  const unchanged = (type: string, orderId: string, what: string) =>
    logger.info({ type, orderId }, `order not changed: ${what}`);

  return {
    async InventoryRejected(event, em) {
      const { orderId } = event.data;
      const cancelled = await createOrderTransitions(em).cancel(
        orderId,
        reason('Out of stock', event.data.reason),
      );
      if (!cancelled) unchanged(event.type, orderId, 'it was already cancelled');
    },

    async PaymentAuthorized(event, em) {
      const { orderId } = event.data;
      // A cancelled order stays cancelled: payments refunds the authorization when it sees OrderCancelled.
      const confirmed = await createOrderTransitions(em).confirm(orderId);
      if (!confirmed) unchanged(event.type, orderId, 'it was not PENDING');
    },

    async PaymentDeclined(event, em) {
      const { orderId } = event.data;
      const cancelled = await createOrderTransitions(em).cancel(
        orderId,
        reason('Payment declined', event.data.reason),
      );
      if (!cancelled) unchanged(event.type, orderId, 'it was already cancelled');
    },
  };
}
